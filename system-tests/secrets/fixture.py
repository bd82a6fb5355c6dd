"""What every scenario of the secrets suite shares: moto with the suite's keys and secrets, the
database and Redis users the secrets name, the settings the programs get, and the list of every
sensitive string handed out (the final scan looks for each of them)."""
import json
import os
import secrets
import time
from collections import Counter

from audit import audit, rows_by_value, wait_for_drain
from aws import READ_SECRETS, REGION, Credentials, Moto
from backends import Database, RedisUsers
from load import Load
from programs import wait_until
from secrets_stack import Observer, SecretsStack


class Failure(AssertionError):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def new_password(label):
    # Letters and digits only: found verbatim by the scan in any encoding a log might use.
    return f"{label}{secrets.token_hex(12)}"


class Fixture:
    def __init__(self, options, services, binaries):
        self.options = options
        self.services = services  # faults' Services: redis-cli against the tests' Redis
        self.binaries = binaries
        self.run_dir = options.artifacts
        tag = f"{os.getpid()}"
        self.database = f"count_test_secrets_{tag}"
        self.queue = f"secrets_{tag}"
        self.db = Database(options.db_port, options.admin_user, options.admin_password)
        self.redis_users = RedisUsers(services)
        self.moto = Moto(options.moto_port, os.path.join(options.artifacts, "moto", "moto.log"))
        self.observer = Observer(os.path.join(options.artifacts, "bodies"))
        self.sensitive = set()  # every password, secret key, token and secret value handed out
        self.db_user = f"csec{tag}"
        self.db_clone = f"{self.db_user}_clone"
        self.redis_user = f"csec{tag}"
        self.db_secret = f"count-pipeline/test/db-{tag}"
        self.redis_secret = f"count-pipeline/test/redis-{tag}"
        self.passwords = {}  # user -> current password
        self.db_user_in_secret = None
        self.redis_password = None
        self.program_key = None  # the IAM key the programs sign with (static credentials)
        self.reader_role = None
        self._value_ranges = 0

    # Set-up and tear-down

    def set_up(self):
        os.makedirs(os.path.dirname(self.moto.log_path), exist_ok=True)
        self.moto.start()
        self.remember(self.moto.admin)
        self.program_key = self.remember(self.moto.user_with_key(f"count-programs-{os.getpid()}", READ_SECRETS))
        self.reader_role = self.moto.role(f"count-task-{os.getpid()}", READ_SECRETS)
        self.db.sql(f"DROP DATABASE IF EXISTS `{self.database}`; CREATE DATABASE `{self.database}`")
        for user in (self.db_user, self.db_clone):
            self.passwords[user] = self.remember_text(new_password("db"))
            self.db.create_user(user, self.passwords[user], self.database)
        self.redis_password = self.remember_text(new_password("redis"))
        self.redis_users.create(self.redis_user, self.redis_password)
        self.publish_db_secret(self.db_user)
        self.publish_redis_secret()

    def tear_down(self):
        for user in (self.db_user, self.db_clone):
            try:
                self.db.drop_user(user)
            except RuntimeError:
                pass
        try:
            self.db.sql(f"DROP DATABASE IF EXISTS `{self.database}`")
            self.redis_users.delete(self.redis_user)
            self.services.redis("DEL", self.queue)
        except Exception:  # the servers may be gone already; nothing of ours is left in them then
            pass
        self.moto.stop()

    # Secrets

    def remember(self, credentials):
        """Adds the secret parts of `credentials` to what the final scan looks for; returns them."""
        self.remember_text(credentials.secret_access_key)
        if credentials.session_token:
            self.remember_text(credentials.session_token)
        return credentials

    def remember_text(self, text):
        self.sensitive.add(text)
        return text

    def db_secret_value(self, user, port_as_number=False):
        port = self.options.db_port if port_as_number else str(self.options.db_port)
        # engine and dbInstanceIdentifier: what RDS and rotation secrets carry besides; ignored.
        return {"username": user, "password": self.passwords[user], "host": "127.0.0.1", "port": port,
                "dbname": self.database, "engine": "mariadb", "dbInstanceIdentifier": "count-test"}

    def publish_db_secret(self, user, port_as_number=False):
        self.db_user_in_secret = user
        value = self.db_secret_value(user, port_as_number)
        self.remember_text(json.dumps(value))
        self.moto.put_secret(self.db_secret, value)

    def publish_redis_secret(self):
        # user_arn: what the deploy's Redis secrets carry besides; the programs ignore other keys.
        value = {"username": self.redis_user, "password": self.redis_password,
                 "user_arn": f"arn:aws:elasticache:{REGION}:123456789012:user:{self.redis_user}"}
        self.remember_text(json.dumps(value))
        self.moto.put_secret(self.redis_secret, value)

    # The programs

    def settings(self, credentials=None):
        """What both programs get: the two secret ids, region, endpoint and AWS credentials; no
        database host, port, name, user or password (all from the secret), no Redis password."""
        settings = {
            "DB_SECRET": self.db_secret, "REDIS_SECRET": self.redis_secret,
            "REDIS_HOST": "127.0.0.1", "REDIS_PORT": str(self.options.redis_port), "REDIS_QUEUE": self.queue,
            "AWS_REGION": REGION, "AWS_ENDPOINT_URL_SECRETS_MANAGER": self.moto.endpoint,
            "SECRET_REFRESH_S": str(self.options.refresh_s),
        }
        if credentials is not False:
            settings.update((credentials or self.program_key).environment())
        return settings

    def stack(self, name, settings=None, producer_settings=None, consumer_settings=None):
        return SecretsStack(name, self.binaries, self.run_dir, self.observer, settings or self.settings(),
                            producer_settings, consumer_settings)

    # Load and ledger

    def load(self, stack, count, threads=4):
        """A Load of `count` values no other load of the run uses."""
        self._value_ranges += 1
        first = self._value_ranges * 10_000_000
        return Load("127.0.0.1", stack.producer.port, list(range(first, first + count)),
                    f"secrets-{os.getpid()}-{self._value_ranges}", threads=threads, value_budget_s=60)

    def ledger(self, load, timeout=60):
        """After `load` ended: every 201 is exactly one row, nothing left in flight. The audit's line."""
        drain = wait_for_drain(self.services, self.queue, timeout)
        expect(drain.drained, f"the queue did not drain within {timeout} s: {drain.leftover}")
        sent = set(load.sent_values())
        rows = Counter({value: count for value, count in rows_by_value(self.db, self.database).items()
                        if value in sent})
        result = audit(load.sent_values(), load.acknowledged, rows)
        expect(not load.unexpected, f"unexpected answers: {load.unexpected[:3]}")
        expect(result.lost == 0, f"acknowledged but no row: {result.lost_examples} ({result.line()})")
        expect(result.duplicates == 0, f"more than one row: {result.duplicate_examples} ({result.line()})")
        expect(result.acknowledged > 0, f"nothing was acknowledged ({result.line()})")
        return result.line()

    def wait_for_acknowledged(self, load, count, timeout, what):
        expect(wait_until(lambda: len(load.acknowledged) >= count or not load.running(), timeout, 0.05)
               and len(load.acknowledged) >= count,
               f"{what}: {len(load.acknowledged)} of {count} values acknowledged within {timeout} s")

    def wait_for_more_fetches(self, stack, program, secret, outcome, than, timeout):
        """Polls until `program` counted more fetches of `secret` with `outcome` than `than`; the seconds taken."""
        started = time.monotonic()
        expect(wait_until(lambda: stack.secret_fetches(program, secret, outcome) > than, timeout, 0.5),
               f"{program.name}: count_pipeline_secret_fetches_total{{secret=\"{secret}\",outcome=\"{outcome}\"}} "
               f"stayed at {than} for {timeout} s")
        return time.monotonic() - started
