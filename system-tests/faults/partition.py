"""A true network partition (issue 24): a Redis of the scenario's own in a network namespace, reached
from the host over a veth pair, and nftables rules in that namespace that DROP every packet to and
from the host for a while. Unlike the fault proxy's blackhole, nothing in user space holds the
sockets: the kernels retransmit, keepalive probes go unanswered, and a SYN gets no answer at all
(not a refusal), as when a NAT or a cable drops the path.

The addresses come from 198.18.0.0/15 (RFC 2544: reserved for benchmarking, never routed), on a
link that exists only on this machine: nothing leaves it. Loopback addresses cannot serve here:
the host routes all of 127.0.0.0/8 to its own `lo`, so a packet to a 127.x address of the namespace
would never take the veth."""
import os
import shutil
import subprocess

from services import start_redis_server, stop_process

HOST_ADDRESS, NAMESPACE_ADDRESS, PREFIX = "198.18.0.1", "198.18.0.2", 30
NFT_TABLE = "count_pipeline_partition"


def _run(*command, namespace=None):
    """Runs an `ip`/`nft` command (inside `namespace` when given); its stderr as an error."""
    prefix = ["ip", "netns", "exec", namespace] if namespace else []
    result = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def partition_unavailable():
    """None when this host can build a partition, else the precise reason it cannot."""
    if os.geteuid() != 0:
        return "not root: creating a network namespace and a veth pair needs CAP_NET_ADMIN"
    for tool, package in (("ip", "iproute2"), ("nft", "nftables"), ("redis-server", "redis-server")):
        if not shutil.which(tool):
            return f"`{tool}` is not installed (Debian package {package})"
    name = f"cpf-probe-{os.getpid()}"
    try:
        _run("ip", "netns", "add", name)
        _run("nft", "add", "table", "inet", NFT_TABLE, namespace=name)
    except RuntimeError as error:
        return f"the kernel refuses a network namespace with an nftables table here: {error}"
    finally:
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=30)
    return None


class NamespacedRedis:
    """A redis-server inside its own network namespace, at NAMESPACE_ADDRESS:port, and the DROP rules
    that cut it off. Its `tcp-keepalive 1` makes it drop the connections a partition left dead
    within seconds (ElastiCache's default is 300 s), so a leak check after the heal sees only live ones."""

    def __init__(self, state_dir, port=6379):
        suffix = os.getpid() % 100_000
        self.namespace = f"cpf-{suffix}"
        self.host_link, self.namespace_link = f"cpf{suffix}h", f"cpf{suffix}n"  # at most 15 characters
        self.host, self.port = NAMESPACE_ADDRESS, port
        self.directory = os.path.join(state_dir, "partition-redis")
        self.process = None

    def start(self):
        os.makedirs(self.directory, exist_ok=True)
        self.stop()  # what a killed earlier run may have left
        _run("ip", "netns", "add", self.namespace)
        _run("ip", "link", "add", self.host_link, "type", "veth", "peer", "name", self.namespace_link)
        _run("ip", "link", "set", self.namespace_link, "netns", self.namespace)
        _run("ip", "address", "add", f"{HOST_ADDRESS}/{PREFIX}", "dev", self.host_link)
        _run("ip", "link", "set", self.host_link, "up")
        _run("ip", "address", "add", f"{NAMESPACE_ADDRESS}/{PREFIX}", "dev", self.namespace_link, namespace=self.namespace)
        _run("ip", "link", "set", self.namespace_link, "up", namespace=self.namespace)
        # Protected mode admits loopback clients only; this link exists only on this host.
        self.process = start_redis_server(self.host, self.port, self.directory, "--tcp-keepalive", "1",
                                          "--protected-mode", "no", prefix=("ip", "netns", "exec", self.namespace))
        # For scripts/test-faults.sh's clean-up, should this suite be killed before its own.
        with open(os.path.join(self.directory, "namespace"), "w") as record:
            record.write(f"{self.namespace} {self.process.pid}\n")

    def drop(self):
        """Every packet between the host and the namespace dropped, both directions."""
        rules = (f"table inet {NFT_TABLE} {{\n"
                 f"  chain input {{ type filter hook input priority 0; ip saddr {HOST_ADDRESS} drop; }}\n"
                 f"  chain output {{ type filter hook output priority 0; ip daddr {HOST_ADDRESS} drop; }}\n"
                 "}\n")
        result = subprocess.run(["ip", "netns", "exec", self.namespace, "nft", "-f", "-"], input=rules,
                                capture_output=True, text=True, timeout=30)
        if result.returncode != 0:
            raise RuntimeError(f"nft refused the DROP rules: {result.stderr.strip()}")

    def heal(self):
        subprocess.run(["ip", "netns", "exec", self.namespace, "nft", "delete", "table", "inet", NFT_TABLE],
                       capture_output=True, timeout=30)

    def stop(self):
        if self.process:
            stop_process(self.process)
        # Deleting the namespace deletes its end of the veth pair, and with it the host's end.
        subprocess.run(["ip", "netns", "del", self.namespace], capture_output=True, timeout=30)
        subprocess.run(["ip", "link", "del", self.host_link], capture_output=True, timeout=30)
        if os.path.exists(os.path.join(self.directory, "namespace")):
            os.remove(os.path.join(self.directory, "namespace"))
