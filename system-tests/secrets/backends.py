"""The tests' MariaDB and Redis (the ones `./dev test` starts), as their administrators: the users
the programs log in as, their passwords, and their sessions, which a rotation kills."""
import os
import subprocess


class Database:
    """MariaDB as DB_TEST_ADMIN_USER over TCP (the password goes in the client's environment)."""

    def __init__(self, port, admin_user, admin_password):
        self.port = port
        self.admin_user = admin_user
        self.admin_password = admin_password

    def sql(self, statement, database=None):
        """The result rows, tab-separated, without headers (the shape faults' audit reads)."""
        command = ["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{self.port}", f"-u{self.admin_user}", "-N", "-B"]
        if database:
            command.append(f"--database={database}")
        result = subprocess.run(command + ["-e", statement], capture_output=True, text=True, timeout=60,
                                env={**os.environ, "MYSQL_PWD": self.admin_password})
        if result.returncode != 0:
            raise RuntimeError(f"SQL on MariaDB failed: {result.stderr.strip()}")
        return result.stdout

    def create_user(self, user, password, database):
        self.sql(f"DROP USER IF EXISTS '{user}'@'127.0.0.1'; CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}';"
                 f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'127.0.0.1'")

    def drop_user(self, user):
        self.sql(f"DROP USER IF EXISTS '{user}'@'127.0.0.1'")

    def set_password(self, user, password):
        self.sql(f"ALTER USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}'")

    def sessions_of(self, user):
        """Processlist ids of `user`'s connections."""
        output = self.sql(f"SELECT ID FROM information_schema.PROCESSLIST WHERE USER = '{user}'")
        return [int(line) for line in output.split()]

    def kill_sessions(self, user):
        """KILL CONNECTION of every session of `user`; how many there were."""
        ids = self.sessions_of(user)
        for session in ids:
            try:
                self.sql(f"KILL CONNECTION {session}")
            except RuntimeError as error:
                if "Unknown thread id" not in str(error):  # it ended by itself meanwhile
                    raise
        return len(ids)

    def row_count(self, database):
        return int(self.sql("SELECT COUNT(*) FROM `count`", database).strip() or 0)


class RedisUsers:
    """ACL users of the tests' Redis, whose default user has no password (so the suite is admin)."""

    def __init__(self, services):
        self.services = services  # faults' Services: redis-cli against the tests' Redis

    def create(self, user, password):
        self.services.redis("ACL", "SETUSER", user, "reset", "on", f">{password}", "~*", "&*", "+@all")

    def rotate(self, user, new_password, old_password):
        """The new password added and the old one removed in one step, as ElastiCache does at the end."""
        self.services.redis("ACL", "SETUSER", user, f">{new_password}", f"<{old_password}")

    def kill_clients(self, user):
        """CLIENT KILL of every connection authenticated as `user`; how many were killed."""
        return int(self.services.redis("CLIENT", "KILL", "USER", user) or 0)

    def delete(self, user):
        self.services.redis("ACL", "DELUSER", user)
