"""The real Producer and Consumer as child processes of the suite.

Each program runs with its settings in the environment, logs to its own file, and is stopped by
signal. While it runs, its pid is kept in a file, so that scripts/test-faults.sh can stop whatever a
crashed run left behind (by pid, after checking that the pid still belongs to that binary).
"""
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request


def http_status(url, timeout=2.0):
    """The status of a GET, or None when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


def wait_until(predicate, timeout, interval=0.2):
    """True as soon as predicate() is true, False if it stays false for `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)


class Program:
    """One Producer or Consumer process, restartable on the same port and settings."""

    def __init__(self, name, binary, environment, port, run_dir, operations_port=None):
        self.name = name
        self.binary = binary
        self.environment = environment
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        # /ready and /metrics: the Producer's operations port; the Consumer has only the one.
        self.operations_url = f"http://127.0.0.1:{operations_port or port}"
        self.log_path = os.path.join(run_dir, "logs", f"{name}.log")
        self.pid_path = os.path.join(run_dir, "pids", f"{name}.pid")
        self.process = None
        self.starts = 0

    def start(self, timeout=30):
        """Starts the program and waits until its /health answers 200."""
        with open(self.log_path, "ab") as log:
            log.write(f"---- start #{self.starts + 1} of {self.name}\n".encode())
            log.flush()
            self.process = subprocess.Popen([self.binary], env=self.environment, stdout=log,
                                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.starts += 1
        with open(self.pid_path, "w") as pid_file:
            pid_file.write(str(self.process.pid))
        healthy = wait_until(lambda: not self.alive() or http_status(f"{self.url}/health", 1) == 200, timeout)
        if not self.alive():
            raise RuntimeError(f"{self.name} exited with {self.process.returncode} at start")
        if not healthy:
            raise RuntimeError(f"{self.name} did not answer {self.url}/health within {timeout} s")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def kill(self):
        """kill -9: no drain, no deregistration; whatever it held must be reclaimed by others."""
        self.process.kill()
        self._reap(None)

    def terminate(self, timeout=30):
        """SIGTERM (graceful drain); its exit code, or None if it had to be killed after `timeout` s."""
        self.process.send_signal(signal.SIGTERM)
        return self._reap(timeout)

    def exit_code(self):
        return self.process.poll() if self.process else None

    def stop(self):
        """Stops the program if it runs, gracefully when it can."""
        if self.alive():
            self.terminate(timeout=15)

    def _reap(self, timeout):
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        if os.path.exists(self.pid_path):
            os.remove(self.pid_path)
        return code

    def ready(self, timeout=10):
        """True when GET /ready answers 200 within `timeout` seconds."""
        return wait_until(lambda: http_status(f"{self.operations_url}/ready", 1) == 200, timeout, interval=0.25)

    def log_tail(self, lines=15):
        with open(self.log_path, "rb") as log:
            return b"".join(log.readlines()[-lines:]).decode(errors="replace")
