import Foundation
import Queue
import Redis

/// A Redis Cluster of a test's own: 3 primaries and 3 replicas of Debian's redis-server on loopback
/// ports, joined by `redis-cli --cluster create`, with a short node timeout so that a failover takes
/// a couple of seconds. Stopped and deleted when released.
final class OwnCluster: @unchecked Sendable {  // used by one test task at a time
    let ports: [Int]
    private var servers: [Int: RedisServerProcess] = [:]
    private let directory: URL

    init() throws {
        // Cluster bus ports are these plus 10000. Both stay below 32768, where Linux starts handing
        // out ephemeral ports to outgoing connections (a bus port taken by one stops a node from
        // starting), and clear of the other tests' ports.
        let base = Int.random(in: 0..<461) * 6 + 20000
        ports = Array(base..<(base + 6))
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("count-pipeline-cluster-\(base)")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for port in ports {
            try start(port: port)
        }
        for port in ports {
            guard waitFor(port: port, { (try? $0.run(["PING"], timeout: .seconds(1)))?.string == "PONG" }) else {
                throw TestServices.SetupError(description: "redis-server on port \(port) did not start")
            }
        }
        try create()
    }

    deinit {
        servers.values.forEach { $0.kill() }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Settings that reach the cluster through its first node, as a configuration endpoint would.
    func settings(queue: String = TestServices.uniqueName("cluster"), shards: Int = 1, waitReplicas: Int = 0) -> TestRedis {
        TestRedis(
            settings: RedisSettings(host: "127.0.0.1", port: ports[0], cluster: true),
            queue: QueueSettings(name: queue, shards: shards, waitReplicas: waitReplicas))
    }

    private func start(port: Int) throws {
        servers[port] = try RedisServerProcess(port: port, directory: directory, arguments: [
            "--port", String(port), "--appendonly", "no",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes-\(port).conf", "--cluster-node-timeout", "1000",
        ])
    }

    private func create() throws {
        let (status, text) = try TestServices.runToEnd(
            URL(fileURLWithPath: "/usr/bin/redis-cli"),
            arguments: ["--cluster", "create"] + ports.map { "127.0.0.1:\($0)" } + ["--cluster-replicas", "1", "--cluster-yes"])
        guard status == 0 else {
            throw TestServices.SetupError(description: "redis-cli --cluster create failed:\n\(text)")
        }
        for port in ports {
            guard waitFor(port: port, timeout: .seconds(30), { Self.isHealthy($0, expectingNodes: 6) }) else {
                throw TestServices.SetupError(description: "the cluster did not become healthy as seen from \(port)")
            }
        }
    }

    /// The node's view: state ok, every slot served, every node known; a replica has its primary's data.
    private static func isHealthy(_ connection: RedisConnection, expectingNodes nodes: Int) -> Bool {
        guard let info = (try? connection.run(["CLUSTER", "INFO"], timeout: .seconds(1)))?.string,
            let replication = (try? connection.run(["INFO", "replication"], timeout: .seconds(1)))?.string
        else { return false }
        return info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384") && info.contains("cluster_known_nodes:\(nodes)")
            && (replication.contains("role:master") || replication.contains("master_link_status:up"))
    }

    /// Runs `command` on the node at `port` (no redirects followed).
    @discardableResult
    func run(_ command: [String], onPort port: Int) throws -> RedisValue {
        let connection = try RedisConnection.connect(host: "127.0.0.1", port: port, username: nil, password: nil, timeout: .seconds(2))
        defer { connection.close() }
        return try connection.run(command, timeout: .seconds(5))
    }

    /// Which node's port serves `key` now, from a live node's CLUSTER SLOTS.
    func primaryPort(for key: String) throws -> Int {
        for port in ports where servers[port]?.isRunning == true {
            if let reply = try? run(["CLUSTER", "SLOTS"], onPort: port),
                let owner = try ClusterSlotMap(clusterSlots: reply, askedHost: "127.0.0.1").primary(forSlot: HashSlot.of(key))
            {
                return owner.port
            }
        }
        throw TestServices.SetupError(description: "no live node answers CLUSTER SLOTS")
    }

    /// kill -9, as a crashed host would look.
    func crash(port: Int) {
        servers[port]?.kill()
    }

    private func waitFor(port: Int, timeout: Duration = .seconds(10), _ condition: (RedisConnection) -> Bool) -> Bool {
        let end = ContinuousClock.now + timeout
        repeat {
            if let connection = try? RedisConnection.connect(host: "127.0.0.1", port: port, username: nil, password: nil, timeout: .seconds(1)) {
                defer { connection.close() }
                if condition(connection) { return true }
            }
            usleep(100_000)
        } while ContinuousClock.now < end
        return false
    }
}
