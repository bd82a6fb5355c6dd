"""The rows of docs/guarantees.md's network-fault table, from this run's measurements, printed at the
end of the suite in the doc's own markdown so that refreshing the doc from a CI log is a copy.

A measurement: (fault, path, database kind, detection seconds or None, recovery seconds or None), one
per fault step (network.run_step records them on the scenario's Stack). Paths: the proxy paths
("producer-redis", ...), or "redis"/"database" for a fault of the server itself (every program on it)."""

PROXY_PATHS = ("producer-redis", "consumer-redis", "producer-db", "consumer-db")

# fault -> (its description in the table, what a client sees); in the table's order.
FAULTS = {
    "blackhole": ("blackhole 4 s (silent peer, sockets kept)",
                  "P→R, P→DB: `503` + `Retry-After` within the request deadline, `201` again after the heal; "
                  "C→R, C→DB: `201` as usual, rows late"),
    "drop-replies": ("drop-the-reply 4 s (request arrives, answer lost; a lost COMMIT reply on C→DB)",
                     "as for the blackhole; the batch's ids make the retried COMMIT idempotent: no duplicate"),
    "reset": ("RST of every connection, new ones refused, 2 s", "as for the blackhole, at once"),
    "limit-data": ("`limit_data` 300 bytes (a reply cut mid-way), 2 s", "on P→R, P→DB some `503`s, retried"),
    "latency-300ms-jitter-100": ("latency 300 ms ± 100 ms, 3 s", "slower answers; on P→R, P→DB some `503`s"),
    "slicer-bandwidth": ("slicer 5-byte writes + 200 kB/s, 3 s", "slower answers; on P→R, P→DB some `503`s"),
    "slow-close": ("RST then slow close (FIN 2 s late), 3 s", "on P→R, P→DB some `503`s, retried"),
    "sigstop": ("server frozen by SIGSTOP 4 s (Redis; MariaDB, MySQL in brackets)",
                "Redis: `503` + `Retry-After`; database: `201` as usual, rows late"),
    "partition": ("true partition: Redis in a network namespace, nftables DROP both ways 6 s (all programs)",
                  "`503` + `Retry-After` within the request deadline, `201` again after the heal"),
    "read-only": ("read-only server 4 s: Redis made a replica (`REPLICAOF`), MariaDB `read_only` "
                  "(MySQL `super_read_only` in brackets)",
                  "Redis: `503` + `Retry-After` (READONLY), `201` after `REPLICAOF NO ONE`; database: "
                  "`201` as usual, no row committed meanwhile, rows after"),
}


def _seconds(value):
    return "-" if value is None else f"{value:.1f}"


def _cell(values):
    """One figure per column, "-" for the whole cell when every one is "-" (slowness: never red)."""
    return "-" if all(value == "-" for value in values) else " / ".join(values)


def _lookup(measurements, fault, path, kind, index):
    for found_fault, found_path, found_kind, detection, recovery in measurements:
        if (found_fault, found_path, found_kind) == (fault, path, kind):
            return _seconds((detection, recovery)[index])
    return "n/a"


def _proxy_row(measurements, fault, index):
    """P→R / C→R / P→DB (MySQL) / C→DB (MySQL)."""
    values = []
    for path in PROXY_PATHS:
        mariadb = _lookup(measurements, fault, path, "mariadb", index)
        mysql = _lookup(measurements, fault, path, "mysql", index) if path.endswith("db") else None
        both_never_red = mariadb == mysql == "-"
        values.append(mariadb if mysql is None or both_never_red else f"{mariadb} ({mysql})")
    return _cell(values)


def _server_row(measurements, fault, index):
    redis = _lookup(measurements, fault, "redis", "mariadb", index)
    database = (f"{_lookup(measurements, fault, 'database', 'mariadb', index)} "
                f"({_lookup(measurements, fault, 'database', 'mysql', index)})")
    return f"Redis {redis}; database {database}"


def table_rows(measurements):
    """The table's body rows (after its header) for the faults that were measured."""
    measured = {fault for fault, *_ in measurements}
    rows = []
    for fault, (description, client_sees) in FAULTS.items():
        if fault not in measured:
            continue
        if fault == "partition":
            cells = [_lookup(measurements, fault, "redis", "mariadb", index) for index in (0, 1)]
        elif fault in ("sigstop", "read-only"):
            cells = [_server_row(measurements, fault, index) for index in (0, 1)]
        else:
            cells = [_proxy_row(measurements, fault, index) for index in (0, 1)]
        rows.append(f"| {description} | {client_sees} | {cells[0]} | {cells[1]} |")
    return rows
