"""`./dev up --secrets`: a local Secrets Manager for the local stack, so the programs run as they do on
ECS, with only DB_SECRET and REDIS_SECRET in their environment and no password.

Starts moto's server on loopback verifying every SigV4 signature (the secrets suite's own set-up,
system-tests/secrets/aws.py), gives it an IAM user that may only read secrets, stores the two
secrets (the database's, and each program's own Redis user's, as on ElastiCache with RBAC), and
prints the programs' environment as shell assignments for ./dev to evaluate: AWS_ENDPOINT_URL_SECRETS_MANAGER,
AWS_REGION, that user's access key, DB_SECRET, PRODUCER_REDIS_SECRET, CONSUMER_REDIS_SECRET (./dev
gives each program its own as REDIS_SECRET) and MOTO_PID (./dev stops moto with the stack). moto keeps its state in memory: a new `./dev up
--secrets` makes new secrets. Run with the venv python of system-tests/secrets/requirements.txt.
"""
import argparse
import os
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "..", "system-tests", "secrets"), os.path.join(HERE, "..", "..", "system-tests", "faults")]

from aws import READ_SECRETS, REGION, Moto  # noqa: E402  (after the path above)

DB_SECRET = "count-pipeline/local/db"
PROGRAMS = ("producer", "consumer")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moto-port", type=int, required=True)
    parser.add_argument("--log", required=True, help="moto's log file")
    parser.add_argument("--db-host", required=True)
    parser.add_argument("--db-port", type=int, required=True)
    parser.add_argument("--db-name", required=True)
    parser.add_argument("--db-user", required=True)
    for program in PROGRAMS:
        parser.add_argument(f"--{program}-redis-user", required=True)
    options = parser.parse_args()
    # The passwords come on stdin, one per line (database, Producer's Redis user, Consumer's): never on a command line.
    db_password, *redis_passwords = sys.stdin.read().splitlines()[:3]

    moto = Moto(options.moto_port, options.log)
    moto.start()
    try:
        reader = moto.user_with_key("count-local-programs", READ_SECRETS)
        moto.put_secret(DB_SECRET, {"username": options.db_user, "password": db_password, "host": options.db_host,
                                    "port": options.db_port, "dbname": options.db_name})
        for program, password in zip(PROGRAMS, redis_passwords, strict=True):
            moto.put_secret(f"count-pipeline/local/redis-{program}",
                            {"username": getattr(options, f"{program}_redis_user"), "password": password})
    except Exception:
        moto.stop()
        raise
    environment = {"MOTO_PID": moto.process.pid, "AWS_REGION": REGION, "AWS_ENDPOINT_URL_SECRETS_MANAGER": moto.endpoint,
                   **reader.environment(), "DB_SECRET": DB_SECRET,
                   **{f"{program.upper()}_REDIS_SECRET": f"count-pipeline/local/redis-{program}" for program in PROGRAMS}}
    for name, value in environment.items():
        print(f"{name}={shlex.quote(str(value))}")


if __name__ == "__main__":
    main()
