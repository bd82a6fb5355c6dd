"""The scenarios of the secrets suite, in the order they run. Each takes the Fixture (and the stack
the earlier ones left running, in `state`), asserts, and returns lines of detail; a Failure says
what was wrong. Every wait polls a condition with a deadline."""
import os
import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from aws import Credentials
from credentials_endpoint import CredentialsEndpoint
from fixture import Failure, expect, new_password
from programs import wait_until
from secrets_stack import metric_value
from stack import free_port

SIGNATURE_ERRORS = {"InvalidSignatureException", "SignatureDoesNotMatch"}  # AWS's JSON code, moto's XML one
ACCESS_DENIED = {"AccessDeniedException", "AccessDenied"}


def moto_verifies_signatures(fixture, state):
    """The raw request the programs make, signed by curl's SigV4: right key 200, anything else 403."""
    moto, key = fixture.moto, fixture.program_key
    status, code = moto.get_secret_value_signed_by_curl(key, fixture.db_secret)
    expect(status == 200, f"the programs' key got {status} {code}, not 200")
    wrong = fixture.remember(key.with_secret_key(key.secret_access_key[:-4] + "AAAA"))
    status, code = moto.get_secret_value_signed_by_curl(wrong, fixture.db_secret)
    expect(status == 403 and code in SIGNATURE_ERRORS, f"a wrong secret key got {status} {code}, not 403")
    unknown = fixture.remember(Credentials("AKIAUNKNOWNKEY000000", "x" * 40))
    unknown_status, unknown_code = moto.get_secret_value_signed_by_curl(unknown, fixture.db_secret)
    expect(unknown_status == 403, f"an unknown key got {unknown_status}, not 403")
    return [f"right key 200; wrong secret key {status} {code}; unknown key {unknown_status} {unknown_code}"]


def start_from_secrets(fixture, state):
    """Both programs start with only the secret ids; the secret's host, port and dbname are used."""
    stack = fixture.stack("main")
    _start(stack)
    state["stack"] = stack
    for program in stack.programs():
        environment = stack.environment_of(program)
        named = sorted(set(environment) & {"DB_USER", "DB_PASSWORD", "REDIS_PASSWORD", "DB_HOST", "DB_PORT"})
        expect(not named, f"{program.name} has {named} in its environment")
        leaked = [text for text in fixture.sensitive if any(text in value for value in environment.values())
                  and text != fixture.program_key.secret_access_key]
        expect(not leaked, f"{program.name}'s environment holds a password or secret value")
        for secret in ("db", "redis"):
            expect(stack.secret_fetches(program, secret, "ok") >= 1,
                   f"{program.name} counted no successful fetch of the {secret} secret")
    load = fixture.load(stack, 300)
    load.start()
    expect(load.join(60), "300 POSTs did not finish within 60 s")
    return [fixture.ledger(load)]


def _start(stack):
    """Starts the stack; a program that exits or stays unhealthy fails the scenario with its last lines."""
    try:
        stack.start()
    except RuntimeError as error:
        stack.stop()
        tails = [program.log_tail(3).strip() for program in stack.programs() if os.path.exists(program.log_path)]
        raise Failure(f"{error}; last log lines: {' | '.join(tails)}") from None


def _running_stack(state):
    """The stack start-from-secrets left running, for the scenarios that change its credentials."""
    stack = state.get("stack")
    expect(stack is not None and all(program.alive() for program in stack.programs()),
           "needs the programs of start-from-secrets running, and they are not")
    return stack


def _rotation_under_load(fixture, state, rotate, kill, what):
    """Runs a steady load, calls rotate() (the new value in the server and the secret) once 300
    values are in, then kill() (the programs' sessions), and checks that values keep becoming rows
    with no restart; the details say how long from the kill to the first new row."""
    stack = _running_stack(state)
    starts = {program.name: program.starts for program in stack.programs()}
    load = fixture.load(stack, 200_000)
    load.start()
    try:
        fixture.wait_for_acknowledged(load, 300, 30, f"before the {what}")
        details = [rotate()]
        rows_before = fixture.db.row_count(fixture.database)
        rotated_at = time.monotonic()
        details.append(kill())
        acknowledged_at_rotation = len(load.acknowledged)
        expect(wait_until(lambda: fixture.db.row_count(fixture.database) > rows_before, 30, 0.05),
               f"no new row within 30 s of the {what}")
        first_row_s = time.monotonic() - rotated_at
        fixture.wait_for_acknowledged(load, acknowledged_at_rotation + 1000, 45, f"after the {what}")
    finally:
        load.stop()
        load.join(90)
    for program in stack.programs():
        expect(program.alive() and program.starts == starts[program.name], f"{program.name} restarted or exited")
        expect(wait_until(lambda p=program: stack.ready(p)[0] == 200, 30, 0.5),
               f"{program.name} /ready not 200 within 30 s of the {what}: {stack.ready(program)}")
    return details + [f"kill to first new row: {first_row_s:.2f} s", fixture.ledger(load)]


def _killed(count, what):
    expect(count >= 1, f"the programs had no {what} to kill")
    return f"killed {count} {what}"


def db_password_rotation(fixture, state):
    """ALTER USER, the new password into the secret, KILL CONNECTION of the programs' sessions."""
    stack = _running_stack(state)
    user = fixture.db_user
    before = stack.secret_fetches(stack.consumer, "db", "ok")

    def rotate():
        fixture.passwords[user] = fixture.remember_text(new_password("db"))
        fixture.db.set_password(user, fixture.passwords[user])
        fixture.publish_db_secret(user)
        return f"new password of {user} set and published"

    kill = lambda: _killed(fixture.db.kill_sessions(user), f"sessions of {user}")  # noqa: E731
    details = _rotation_under_load(fixture, state, rotate, kill, "database password rotation")
    fixture.wait_for_more_fetches(stack, stack.consumer, "db", "ok", before, 5)
    return details


def two_user_rotation(fixture, state):
    """The secret switches to <user>_clone (new password), the old user keeps working; once both
    programs re-read the secret, their new sessions are the clone's."""
    stack = _running_stack(state)
    old, clone = fixture.db_user, fixture.db_clone

    def rotate():
        before = {program.name: stack.secret_fetches(program, "db", "ok") for program in stack.programs()}
        fixture.passwords[clone] = fixture.remember_text(new_password("db"))
        fixture.db.set_password(clone, fixture.passwords[clone])
        fixture.publish_db_secret(clone, port_as_number=True)
        for program in stack.programs():
            fixture.wait_for_more_fetches(stack, program, "db", "ok", before[program.name],
                                          fixture.options.refresh_s + 15)
        return f"secret switched to {clone}, re-read by both programs"

    kill = lambda: _killed(fixture.db.kill_sessions(old), f"sessions of {old}")  # noqa: E731
    details = _rotation_under_load(fixture, state, rotate, kill, "two-user rotation")
    expect(fixture.db.sessions_of(clone), f"no session as {clone} after the switch")
    expect(not fixture.db.sessions_of(old), f"sessions as {old} remain after the switch and the kill")
    return details


def redis_password_rotation(fixture, state):
    """ACL SETUSER with the new password and without the old, the secret updated, CLIENT KILL USER."""
    stack = _running_stack(state)
    user = fixture.redis_user
    before = {program.name: stack.secret_fetches(program, "redis", "ok") for program in stack.programs()}

    def rotate():
        old = fixture.redis_password
        fixture.redis_password = fixture.remember_text(new_password("redis"))
        fixture.redis_users.rotate(user, fixture.redis_password, old)
        fixture.publish_redis_secret()
        return f"new password of Redis user {user} set (old one removed) and published"

    kill = lambda: _killed(fixture.redis_users.kill_clients(user), f"Redis connections of {user}")  # noqa: E731
    details = _rotation_under_load(fixture, state, rotate, kill, "Redis password rotation")
    for program in stack.programs():
        fixture.wait_for_more_fetches(stack, program, "redis", "ok", before[program.name], 5)
    return details


def broken_secret_keeps_last_good_value(fixture, state):
    """The secret becomes unreadable: each program counts the failed refresh, keeps the value it
    has (new sessions after a KILL still log in), and picks up the repaired secret later."""
    stack = _running_stack(state)
    user = fixture.db_user_in_secret
    errors = {program.name: stack.secret_fetches(program, "db", "error") for program in stack.programs()}
    fixture.moto.put_secret(fixture.db_secret, "{this is not JSON")
    waited = []
    try:
        for program in stack.programs():
            waited.append(fixture.wait_for_more_fetches(stack, program, "db", "error", errors[program.name],
                                                        2 * fixture.options.refresh_s + 10))
        killed = fixture.db.kill_sessions(user)
        load = fixture.load(stack, 1000)
        load.start()
        expect(load.join(90), "1000 POSTs did not finish within 90 s with the secret broken")
        line = fixture.ledger(load)
        ages = {}
        for program in stack.programs():
            # The killed sessions may show in /ready until the program's next probe reconnects.
            expect(wait_until(lambda p=program: stack.ready(p)[0] == 200, 15, 0.5),
                   f"{program.name} /ready not 200 while its last good value works: {stack.ready(program)}")
            ages[program.name] = _secret_age(stack, program, "db")
            expect(ages[program.name] >= fixture.options.refresh_s - 1,
                   f"{program.name}: count_pipeline_secret_age_seconds{{secret=\"db\"}} is {ages[program.name]}, "
                   f"but the value in use is older than {fixture.options.refresh_s} s")
    finally:
        oks = {program.name: stack.secret_fetches(program, "db", "ok") for program in stack.programs()}
        fixture.publish_db_secret(user, port_as_number=True)
    for program in stack.programs():
        fixture.wait_for_more_fetches(stack, program, "db", "ok", oks[program.name],
                                      2 * fixture.options.refresh_s + 10)
        age = _secret_age(stack, program, "db")
        expect(age < ages[program.name], f"{program.name}: the secret's age {age} did not drop after the repair")
    return [f"failed refresh counted after {max(waited):.1f} s; killed {killed} sessions, the last good value "
            f"logged in again", line, f"secret ages while broken {ages}; the repaired secret was fetched again"]


def _secret_age(stack, program, secret):
    age = metric_value(stack.metrics(program), "count_pipeline_secret_age_seconds", secret=secret)
    expect(age is not None, f"{program.name} has no count_pipeline_secret_age_seconds{{secret=\"{secret}\"}}")
    return age


def refused_credential_turns_ready_red(fixture, state):
    """The database changes the password but the secret still holds the old one: once its sessions
    are killed, the Consumer's /ready is 503 naming db_credentials (and it does not spin: the
    fetches stay few), and so is the Producer's (its /ready checks the database too); the new
    password published, both /ready are 200 again and the values POSTed meanwhile become rows."""
    stack = _running_stack(state)
    user = fixture.db_user_in_secret
    consumer = stack.consumer
    fetches_before = stack.secret_fetches(consumer, "db", "ok") + stack.secret_fetches(consumer, "db", "error")
    fixture.passwords[user] = fixture.remember_text(new_password("db"))
    fixture.db.set_password(user, fixture.passwords[user])
    killed = fixture.db.kill_sessions(user)
    killed_at = time.monotonic()
    load = fixture.load(stack, 300)  # queued while refused (the Consumer needs the database for them), rows after
    load.start()
    try:
        red = wait_until(lambda: _ready_check_failing(stack, consumer, "db_credentials"), 30, 0.5)
        expect(red, f"{consumer.name} /ready did not turn 503 naming db_credentials within 30 s: {stack.ready(consumer)}")
        producer_red = wait_until(lambda: _ready_check_failing(stack, stack.producer, "db_credentials"), 30, 0.5)
        expect(producer_red, f"{stack.producer.name} /ready did not turn 503 naming db_credentials within 30 s: "
               f"{stack.ready(stack.producer)}")
        time.sleep(6)  # a window to count re-reads in: a refused credential re-reads at most once per 5 s
        fetches = stack.secret_fetches(consumer, "db", "ok") + stack.secret_fetches(consumer, "db", "error")
        refused_s = time.monotonic() - killed_at
    finally:
        fixture.publish_db_secret(user, port_as_number=True)
    bound = int(refused_s / 5) + 3  # one per 5 s, plus the periodic refresh and one at each end of the window
    expect(fetches - fetches_before <= bound, f"{consumer.name} fetched the secret {fetches - fetches_before} times "
           f"in {refused_s:.0f} s while refused (at most {bound}): it spins")
    for program in (consumer, stack.producer):
        expect(wait_until(lambda: stack.ready(program)[0] == 200, 30, 0.5),
               f"{program.name} /ready not 200 within 30 s of the new password's publication: {stack.ready(program)}")
    expect(load.join(60), "300 POSTs did not finish within 60 s")
    return [f"killed {killed} sessions; both /ready 503 db_credentials; {fetches - fetches_before} fetches in "
            f"{refused_s:.0f} s while refused", fixture.ledger(load)]


def _ready_check_failing(stack, program, check):
    status, body = stack.ready(program)
    return status == 503 and check in body


def container_credentials(fixture, state):
    """No AWS keys in the environment: each program gets temporary credentials (STS) from the
    suite's credentials endpoint, the Producer with AWS_CONTAINER_AUTHORIZATION_TOKEN, the Consumer
    with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (rewritten meanwhile: re-read at each fetch); their
    Expiration is 5 min + 15 s ahead, so each re-fetches ~15 s later."""
    if "stack" in state:
        state.pop("stack").stop()
    sessions = iter(range(1, 1000))
    endpoint = CredentialsEndpoint(lambda path: fixture.remember(
        fixture.moto.assume(fixture.reader_role, f"task-{next(sessions)}")), expires_in_s=300 + 15)
    token_file = os.path.join(fixture.run_dir, "credentials-token")
    producer_token = fixture.remember_text(new_password("token"))
    with open(token_file, "w") as tokens:
        tokens.write(fixture.remember_text(new_password("token")))
    endpoint.route("/creds/producer", token=producer_token)
    endpoint.route("/creds/consumer", token_file=token_file)
    endpoint.start()
    stack = fixture.stack(
        "container", settings=fixture.settings(credentials=False),
        producer_settings={"AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url("/creds/producer"),
                           "AWS_CONTAINER_AUTHORIZATION_TOKEN": producer_token},
        consumer_settings={"AWS_CONTAINER_CREDENTIALS_FULL_URI": endpoint.url("/creds/consumer"),
                           "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": token_file})
    try:
        try:
            _start(stack)
        finally:
            expect(not endpoint.failures, f"the endpoint could not issue credentials: {endpoint.failures[:1]}")
        started_at = time.monotonic()
        new_token = fixture.remember_text(new_password("token"))
        with open(token_file, "w") as tokens:
            tokens.write(new_token)
        load = fixture.load(stack, 200)
        load.start()
        expect(load.join(60), "200 POSTs did not finish within 60 s")
        line = fixture.ledger(load)
        for path in ("/creds/producer", "/creds/consumer"):
            expect(wait_until(lambda p=path: any(fetch.at > started_at for fetch in endpoint.fetches_of(p)), 45, 0.5),
                   f"{path}: no credential fetch in the 45 s after the start: the credentials were not renewed "
                   f"before their Expiration")
            refused = [fetch for fetch in endpoint.fetches_of(path) if not fetch.authorized]
            expect(not refused, f"{path}: {len(refused)} fetches with a wrong or missing Authorization token")
        renewal = [fetch for fetch in endpoint.fetches_of("/creds/consumer") if fetch.at > started_at]
        expect(renewal[0].token == new_token, "the Consumer did not re-read its token file")
        for program in stack.programs():
            before = stack.secret_fetches(program, "db", "ok")
            fixture.wait_for_more_fetches(stack, program, "db", "ok", before, fixture.options.refresh_s + 10)
    finally:
        stack.stop()
        endpoint.stop()
    counts = {path: len(endpoint.fetches_of(path)) for path in ("/creds/producer", "/creds/consumer")}
    return [line, f"credential fetches {counts}, every one authorized; the token file's new token was sent"]


def start_errors(fixture, state):
    """Each bad start: both programs exit non-zero within 15 s with one line that names the secret id
    (or the variables) and the AWS error code (or what is wrong with the value)."""
    moto = fixture.moto
    broken, no_password = f"{fixture.db_secret}-broken", f"{fixture.db_secret}-no-password"
    moto.put_secret(broken, "{this is not JSON")
    moto.put_secret(no_password, {"username": fixture.db_user, "host": "127.0.0.1"})
    nobody = fixture.remember(moto.user_with_key(f"count-nobody-{os.getpid()}"))
    wrong_key = fixture.remember(fixture.program_key.with_secret_key("w" * 40))
    missing = f"{fixture.db_secret}-missing"
    base = fixture.settings()
    cases = [  # name, settings, variables to drop, words one line must hold (each: any of the set, any case)
        ("missing-secret", {"DB_SECRET": missing}, (), [{missing}, {"ResourceNotFoundException"}]),
        ("access-denied", nobody.environment(), (), [{fixture.db_secret}, ACCESS_DENIED]),
        ("bad-signature", wrong_key.environment(), (), [{fixture.db_secret}, SIGNATURE_ERRORS]),
        ("unreadable-json", {"DB_SECRET": broken}, (), [{broken}, {"JSON", "json"}]),
        ("no-password", {"DB_SECRET": no_password}, (), [{no_password}, {"password"}]),
        ("db-both-forms", {"DB_PASSWORD": fixture.passwords[fixture.db_user]}, (), [{"DB_SECRET"}, {"DB_PASSWORD"}]),
        ("redis-both-forms", {"REDIS_PASSWORD": fixture.redis_password}, (), [{"REDIS_SECRET"}, {"REDIS_PASSWORD"}]),
        ("no-region", {}, ("AWS_REGION", "AWS_DEFAULT_REGION"), [{"AWS_REGION"}]),
        # Transient: retried with backoff, but given up within 15 s.
        ("endpoint-unreachable", {"AWS_ENDPOINT_URL_SECRETS_MANAGER": f"http://127.0.0.1:{free_port()}"}, (),
         [{fixture.db_secret, fixture.redis_secret}, {"transport", "connect", "curl"}]),
    ]
    folder = os.path.join(fixture.run_dir, "start-errors")
    os.makedirs(folder, exist_ok=True)
    details, problems = [], []
    for name, settings, dropped, words in cases:
        environment = {key: value for key, value in {**base, **settings}.items() if key not in dropped}
        programs = fixture.stack(f"start-{name}", settings=environment).programs()
        with ThreadPoolExecutor(len(programs)) as pool:  # the two programs of a case at once
            results = list(pool.map(lambda program: (program, *_run_to_exit(program, folder)), programs))
        for program, code, seconds, lines in results:
            matching = [line for line in lines
                        if all(any(word.lower() in line.lower() for word in group) for group in words)]
            # A permanent error is one line (each secret may say it); retries of a transient one have a backoff.
            most_lines = 10 if name != "endpoint-unreachable" else int(2 * seconds) + 4
            if code is None or code == 0 or seconds > 15 or not matching or len(lines) > most_lines:
                problems.append(f"{program.name}: exit {code} after {seconds:.1f} s, {len(lines)} lines, "
                                f"{'a' if matching else 'no'} line naming {words}: {lines[-3:]}")
            else:
                details.append(f"{program.name}: exit {code} in {seconds:.1f} s")
    expect(not problems, "\n".join(problems))
    return details


def _run_to_exit(program, folder, limit_s=20):
    """Starts `program` and waits up to `limit_s` for it to exit: (exit code or None, seconds, lines)."""
    log_path = os.path.join(folder, f"{program.name}.log")
    with open(log_path, "wb") as log:
        started = time.monotonic()
        process = subprocess.Popen([program.binary], env=program.environment, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
        try:
            code = process.wait(timeout=limit_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            code = None
        seconds = time.monotonic() - started
    with open(log_path, errors="replace") as log:
        return code, seconds, [line.rstrip("\n") for line in log if line.strip()]


# A SigV4 Authorization header or its signature: computed inside libcurl, so found by its shape.
SIGNATURE = re.compile(r"AWS4-HMAC-SHA256\s+Credential=|Signature=[0-9a-f]{64}")


def nothing_sensitive_in_output(fixture, state):
    """Every log, /metrics and /ready body the suite saw, searched for every password, secret value,
    AWS secret key, session token and authorization token handed out (also JSON-escaped), and for
    a SigV4 signature."""
    forms = {}
    for text in fixture.sensitive:
        forms[text] = {text, text.replace("/", "\\/"), text.replace('"', '\\"')}
    files = []
    for folder, _, names in os.walk(fixture.run_dir):
        if os.path.basename(folder) == "moto":
            continue  # moto's own request log: not an output of the programs
        files += [os.path.join(folder, name) for name in names if name != "credentials-token"]
    scanned, found = 0, []
    for path in files:
        with open(path, "rb") as output:
            content = output.read().decode(errors="replace")
        scanned += len(content)
        found += [f"{os.path.relpath(path, fixture.run_dir)}" for text, variants in forms.items()
                  if any(variant in content for variant in variants)]
        if SIGNATURE.search(content):
            found.append(f"{os.path.relpath(path, fixture.run_dir)} (a signature)")
    expect(scanned > 0, "nothing to scan: no logs or /metrics bodies were kept")
    expect(not found, f"a secret value appears in: {sorted(set(found))}")
    return [f"{len(fixture.sensitive)} sensitive strings, {len(files)} files, {scanned} characters: none found"]


SCENARIOS = [
    ("moto-verifies-signatures", moto_verifies_signatures),
    ("start-from-secrets", start_from_secrets),
    ("db-password-rotation", db_password_rotation),
    ("two-user-rotation", two_user_rotation),
    ("redis-password-rotation", redis_password_rotation),
    ("broken-secret-keeps-last-good-value", broken_secret_keeps_last_good_value),
    ("refused-credential-turns-ready-red", refused_credential_turns_ready_red),
    ("container-credentials", container_credentials),
    ("start-errors", start_errors),
    ("nothing-sensitive-in-output", nothing_sensitive_in_output),
]
