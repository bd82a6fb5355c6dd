"""The faults, each injected while a scenario's load runs. A fault function gets the scenario's
Stack and Load, acts until the load ends, and returns (notes, problems): what it did, and what it
saw go wrong (a problem fails the scenario)."""
import itertools
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from network import freeze, partition, path_faults
from read_only import database_read_only, redis_replica


@dataclass
class Scenario:
    name: str
    consumers: int
    fault: object
    # A Redis crash may lose the writes of its last AOF fsync interval: reported as "AOF window", not as lost.
    loss_is_aof_window: bool = False
    # The server of the scenario's database: "mariadb" or "mysql".
    database: str = "mariadb"
    # Settings of the scenario's programs beyond the suite's own.
    settings: dict = field(default_factory=dict)
    # Each program reaches each server through its own fault proxy (stack.proxies).
    proxied: bool = False
    # The load runs until the fault function returns (it then needs no fixed number of values).
    load_follows_fault: bool = False
    # The scenario's own Redis in a network namespace (partition.py), for a true partition.
    namespaced_redis: bool = False


def sleep_while_loading(load, seconds):
    """Sleeps `seconds`; False (early) if the load ended meanwhile."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not load.running():
            return False
        time.sleep(0.05)
    return load.running()


def in_flight(stack, consumer):
    return int(stack.services.redis("LLEN", stack.processing_key(consumer)))


# The kill scenarios' MAX_DELIVERIES, and at most one kill fewer. Each kill -9 makes whatever its
# victim held one delivery older when it is reclaimed, so one unlucky entry can be in the hands of
# every victim in turn; at MAX_DELIVERIES it is dead-lettered and counts as lost. With fewer kills
# than that no entry can get there, however the kills fall (a slow machine makes the load last
# longer, and more kills happen: 30 of them once exhausted the default of 5).
KILL_MAX_DELIVERIES = 50
MAX_KILLS = KILL_MAX_DELIVERIES - 1
KILL_SETTINGS = {"MAX_DELIVERIES": str(KILL_MAX_DELIVERIES)}


def kill_a_consumer_every_2s(stack, load):
    """kill -9 the two consumers in turn every ~2 s, starting each again at once (under a new id)."""
    kills, held = 0, 0
    for turn in itertools.count():
        if kills == MAX_KILLS or not sleep_while_loading(load, 2.0):
            break
        consumer = stack.consumers[turn % len(stack.consumers)]
        held += in_flight(stack, consumer)
        consumer.kill()
        kills += 1
        stack.start_consumer(consumer)
    problems = [] if kills >= 3 else [f"only {kills} kills happened during the load (it ended too soon)"]
    return [f"{kills} consumers killed with -9 and restarted; they held {held} uncommitted entries then"], problems


OVERLAP_BATCH = 200


def kill_a_consumer_holding_two_batches(stack, load):
    """kill -9 a consumer at a moment its processing list holds more than one batch (one in its
    transaction and the next fetched, or one committed and not yet acknowledged), start it again
    (new id), and repeat: the other consumer reclaims what it held. While the load runs each row
    takes 2 ms more to insert (a trigger): the two consumers then take fewer rows per second than
    the load brings, so a backlog builds, and a batch's transaction lasts long enough for the next
    full batch to be fetched beside it however fast the Consumer's own work is. (At 0.5 ms a row the
    consumers kept up with the load once decoding got faster, and no kill found two batches held.)
    The trigger goes when the load ends, so the backlog drains at full speed."""
    stack.db.sql("CREATE TRIGGER slow_rows BEFORE INSERT ON `count` FOR EACH ROW "
                 "SET NEW.count_value = NEW.count_value + SLEEP(0.002)", stack.database)
    kills, held = 0, []
    for turn in itertools.count():
        if kills == MAX_KILLS or not sleep_while_loading(load, 1.0):
            break
        consumer = stack.consumers[turn % len(stack.consumers)]
        deadline = time.monotonic() + 3
        while in_flight(stack, consumer) <= OVERLAP_BATCH and time.monotonic() < deadline and load.running():
            time.sleep(0.001)
        holding = in_flight(stack, consumer)
        if holding <= OVERLAP_BATCH:
            continue
        consumer.kill()
        kills += 1
        held.append(holding)
        stack.start_consumer(consumer)
    stack.db.sql("DROP TRIGGER slow_rows", stack.database)
    problems = [] if kills >= 3 else [f"only {kills} kills with more than one batch held happened during the load"]
    return [f"{kills} consumers killed with -9 while holding {held} entries (batches of {OVERLAP_BATCH})"], problems


def at_progress(load, fractions, action):
    """Runs action() once the load has reached each fraction of acknowledged values; how many ran."""
    done = 0
    for fraction in fractions:
        if not load.wait_for_progress(fraction):
            break
        action()
        done += 1
    return done


def expect_all_ran(done, fractions, what):
    return [] if done == len(fractions) else [f"{what} happened {done} of {len(fractions)} times (the load ended early)"]


def restart_redis_gracefully(stack, load):
    """SIGTERM Redis (it fsyncs its AOF on the way out), start it again ~1 s later; twice."""
    fractions = (0.25, 0.6)
    done = at_progress(load, fractions, lambda: stack.services.restart_redis(signal.SIGTERM))
    return [f"Redis stopped with SIGTERM and started again {done} times"], expect_all_ran(done, fractions, "the restart")


def crash_redis(stack, load):
    """kill -9 Redis once mid-load and start it again from its AOF (appendfsync everysec)."""
    fractions = (0.5,)
    done = at_progress(load, fractions, lambda: stack.services.restart_redis(signal.SIGKILL))
    return [f"Redis killed with -9 and started again {done} times"], expect_all_ran(done, fractions, "the crash")


def restart_database(stack, load):
    """SIGTERM to the database server (clean InnoDB shutdown), start it again; twice."""
    fractions = (0.25, 0.6)
    done = at_progress(load, fractions, stack.db.restart)
    return [f"{stack.db.kind} stopped and started again {done} times"], expect_all_ran(done, fractions, "the restart")


def crash_database(stack, load):
    """kill -9 the database server once mid-load and start it again (InnoDB crash recovery)."""
    fractions = (0.5,)
    done = at_progress(load, fractions, stack.db.crash_and_restart)
    return [f"{stack.db.kind} killed with -9 and started again {done} times"], expect_all_ran(done, fractions, "the crash")


def restart_producer_and_consumer_gracefully(stack, load):
    """SIGTERM the Producer and a Consumer together (a rolling deploy); both must drain and exit 0,
    the Consumer with nothing left in its processing list; then start both again. Three times."""
    problems = []
    producer, consumer = stack.producer, stack.consumers[0]

    def redeploy():
        processing_key = stack.processing_key(consumer)
        with ThreadPoolExecutor(2) as pool:
            codes = list(pool.map(lambda program: program.terminate(timeout=30), (producer, consumer)))
        for program, code in zip((producer, consumer), codes):
            if code != 0:
                problems.append(f"{program.name} exited with {code} after SIGTERM (expected 0)")
        left = int(stack.services.redis("LLEN", processing_key))
        if left:
            problems.append(f"{consumer.name} left {left} entries in its processing list after a graceful stop")
        stack.start_consumer(consumer)
        producer.start()

    fractions = (0.2, 0.45, 0.7)
    done = at_progress(load, fractions, redeploy)
    notes = [f"Producer and {consumer.name} stopped with SIGTERM and started again {done} times"]
    return notes, problems + expect_all_ran(done, fractions, "the redeploy")


def kill_one_of_three_consumers(stack, load):
    """kill -9 the third consumer mid-run, preferably while it holds a batch, and leave it dead:
    the other two must reclaim what it held."""
    victim = stack.consumers[2]
    if not load.wait_for_progress(0.4):
        return [], ["the load ended before 40 % of it was acknowledged"]
    deadline = time.monotonic() + 5
    while in_flight(stack, victim) == 0 and time.monotonic() < deadline:
        time.sleep(0.002)
    held = in_flight(stack, victim)
    victim.kill()
    stack.killed_for_good.append(victim)
    return [f"{victim.name} killed with -9 (not restarted) holding {held} uncommitted entries"], []


SCENARIOS = [
    Scenario("consumer-kill-9", 2, kill_a_consumer_every_2s, settings=KILL_SETTINGS),
    Scenario("redis-restart", 2, restart_redis_gracefully),
    Scenario("redis-kill-9", 2, crash_redis, loss_is_aof_window=True),
    Scenario("mariadb-restart", 2, restart_database),
    Scenario("mariadb-kill-9", 2, crash_database),
    Scenario("mysql-restart", 2, restart_database, database="mysql"),
    Scenario("mysql-kill-9", 2, crash_database, database="mysql"),
    Scenario("graceful-restart", 2, restart_producer_and_consumer_gracefully),
    Scenario("three-consumers-one-killed", 3, kill_one_of_three_consumers),
    Scenario("consumer-kill-9-two-batches-held", 2, kill_a_consumer_holding_two_batches,
             settings={"CONSUMER_BATCH_SIZE": str(OVERLAP_BATCH), **KILL_SETTINGS}),
    *[Scenario(f"network-{path}", 2, path_faults(path), proxied=True, load_follows_fault=True)
      for path in ("producer-redis", "consumer-redis", "producer-db", "consumer-db")],
    *[Scenario(f"network-{path}-mysql", 2, path_faults(path), database="mysql", proxied=True, load_follows_fault=True)
      for path in ("producer-db", "consumer-db")],
    Scenario("network-partition-redis", 2, partition(), load_follows_fault=True, namespaced_redis=True),
    Scenario("redis-read-only-replica", 2, redis_replica(), load_follows_fault=True),
    Scenario("mariadb-read-only", 2, database_read_only(), load_follows_fault=True),
    Scenario("mysql-read-only", 2, database_read_only(), database="mysql", load_follows_fault=True),
    Scenario("redis-sigstop", 2, freeze("redis"), load_follows_fault=True),
    Scenario("mariadb-sigstop", 2, freeze("db"), load_follows_fault=True),
    Scenario("mysql-sigstop", 2, freeze("db"), database="mysql", load_follows_fault=True),
]
