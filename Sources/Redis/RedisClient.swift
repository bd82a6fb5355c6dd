import Synchronization
import Observability
import Resilience

/// Redis for async code: SwiftNIO connections on NIO's event loops, commands pipelined over a few
/// per node (`RedisNodeConnections`), reconnecting on demand; no thread of its own.
///
/// With `REDIS_CLUSTER=true` it routes every call to the primary that owns its routing key's slot
/// (connections of its own to each primary), follows MOVED and ASK, and re-reads the slot map when
/// the cluster changes. Every call names its routing key; all keys of one call must share that
/// key's slot, which the queue's hash-tagged keys do. Without cluster mode the key is ignored.
public final class RedisClient: Sendable {
    public let settings: RedisSettings
    private let nodes: RedisNodes
    private let router: ClusterRouter?
    private let recovery: DependencyRecovery?

    /// - Parameters:
    ///   - poolSize: the connections that ordinary commands share on each node (default
    ///     `REDIS_POOL_SIZE`); blocking commands get connections of their own besides.
    ///   - recovery: told whether Redis answered each call, so that the log says once that it
    ///     answers again after an outage.
    public init(settings: RedisSettings, poolSize: Int? = nil, recovery: DependencyRecovery? = nil) {
        self.settings = settings
        self.recovery = recovery
        let nodes = RedisNodes(settings: settings, connectionsPerNode: poolSize ?? settings.poolSize)
        self.nodes = nodes
        self.router = settings.cluster
            ? ClusterRouter(seed: nodes.seed.address) { address in
                let reply = try await nodes.connections(to: address).send([Self.bytes(["CLUSTER", "SLOTS"])], deadline: .after(.seconds(1)))
                return try ClusterSlotMap(clusterSlots: reply[0].check(), askedHost: address.host)
            }
            : nil
    }

    /// Sends the commands in one round trip, bounded by the deadline.
    public func pipeline(_ commands: [[String]], routingKey: String?, deadline: Deadline) async throws -> [RedisValue] {
        try await execute(commands.map(Self.bytes), routingKey: routingKey, deadline: deadline, blocking: false)
    }

    /// One command with raw-byte arguments (binary-safe); an error reply is thrown as `RedisError`.
    @discardableResult
    public func run(bytes command: [[UInt8]], routingKey: String?, deadline: Deadline) async throws -> RedisValue {
        try await execute([command], routingKey: routingKey, deadline: deadline, blocking: false)[0].check()
    }

    /// One command; an error reply is thrown as `RedisError`.
    @discardableResult
    public func run(_ command: [String], routingKey: String?, deadline: Deadline) async throws -> RedisValue {
        try await pipeline([command], routingKey: routingKey, deadline: deadline)[0].check()
    }

    /// Runs a Lua script by its SHA-1 (`EVALSHA`); where the node answers `NOSCRIPT` (it has not
    /// loaded the script, or lost it to a restart, a failover or `SCRIPT FLUSH`) sends it once as
    /// `EVAL`, which runs and loads it. `NOSCRIPT` means nothing ran, so the second call is safe.
    /// An error reply is thrown as `RedisError`.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [[UInt8]], routingKey: String?, deadline: Deadline) async throws -> RedisValue {
        let tail = [Array(String(keys.count).utf8)] + keys.map { Array($0.utf8) } + arguments
        let reply = try await execute([[Array("EVALSHA".utf8), Array(script.sha1.utf8)] + tail], routingKey: routingKey, deadline: deadline, blocking: false)[0]
        guard case .error(let message) = reply, message.hasPrefix("NOSCRIPT") else { return try reply.check() }
        return try await execute([[Array("EVAL".utf8), Array(script.source.utf8)] + tail], routingKey: routingKey, deadline: deadline, blocking: false)[0].check()
    }

    /// `evaluate` with text arguments.
    @discardableResult
    public func evaluate(_ script: RedisScript, keys: [String], arguments: [String], routingKey: String?, deadline: Deadline) async throws -> RedisValue {
        try await evaluate(script, keys: keys, arguments: arguments.map { Array($0.utf8) }, routingKey: routingKey, deadline: deadline)
    }

    /// A command that blocks on the server for up to `blockFor` (BLMOVE and friends).
    @discardableResult
    public func runBlocking(_ command: [String], routingKey: String?, blockFor: Duration, deadline: Deadline) async throws -> RedisValue {
        // The reply is due when the server stops blocking, plus the usual allowance for the round trip.
        let replyDeadline = Deadline.after(blockFor + max(deadline.remaining, .milliseconds(500)))
        return try await execute([Self.bytes(command)], routingKey: routingKey, deadline: replyDeadline, blocking: true)[0].check()
    }

    /// PING on any node: the readiness probes, and the start-up check, where `RedisError.isRefusal`
    /// means the configuration is wrong (credentials, TLS) and will stay so until someone changes it.
    public func ping(deadline: Deadline) async throws {
        try await run(["PING"], routingKey: nil, deadline: deadline)
    }

    public func shutdown() async {
        nodes.shutdown()
    }

    private static func bytes(_ command: [String]) -> [[UInt8]] {
        command.map { Array($0.utf8) }
    }

    /// `route`, telling `recovery` whether Redis answered: any reply is an answer (READONLY too: the
    /// server is there); no connection or no reply in time is not.
    private func execute(_ commands: [[[UInt8]]], routingKey: String?, deadline: Deadline, blocking: Bool) async throws -> [RedisValue] {
        do {
            let replies = try await route(commands, routingKey: routingKey, deadline: deadline, blocking: blocking)
            recovery?.answered()
            return replies
        } catch let error as RedisError where error.kind == .connection {
            recovery?.failed()
            throw error
        }
    }

    /// Runs the commands on the node that serves `routingKey`, following redirects (`ClusterCall`).
    private func route(_ commands: [[[UInt8]]], routingKey: String?, deadline: Deadline, blocking: Bool) async throws -> [RedisValue] {
        guard let router else {
            return try await Self.send(commands, to: nodes.seed, asking: false, deadline: deadline, blocking: blocking)
        }
        return try await ClusterCall.run(commands, slot: routingKey.map(HashSlot.of), router: router) { [nodes] pending, target, asking in
            try await Self.send(pending, to: nodes.connections(to: target), asking: asking, deadline: deadline, blocking: blocking)
        }
    }

    private static func send(
        _ commands: [[[UInt8]]], to node: RedisNodeConnections, asking: Bool, deadline: Deadline, blocking: Bool
    ) async throws -> [RedisValue] {
        // ASKING admits exactly the next command on this connection into a slot being imported;
        // one write keeps each pair together, whatever else is pipelined on the connection.
        let sent = asking ? commands.flatMap { [Self.bytes(["ASKING"]), $0] } : commands
        let replies = try await blocking ? node.sendBlocking(sent, deadline: deadline) : node.send(sent, deadline: deadline)
        return asking ? stride(from: 1, to: replies.count, by: 2).map { replies[$0] } : replies
    }
}

/// The connections to every Redis node, made on first use; all of them share the TLS context and
/// the backoff that keeps a refused login from repeating at every request.
private final class RedisNodes: Sendable {
    /// `REDIS_HOST`'s connections, at hand without a lookup: the only ones of a single primary.
    let seed: RedisNodeConnections
    private let connectionsPerNode: Int
    private let connector: RedisConnector
    private let nodes = Mutex<[RedisNodeAddress: RedisNodeConnections]>([:])

    init(settings: RedisSettings, connectionsPerNode: Int) {
        self.connectionsPerNode = connectionsPerNode
        connector = RedisConnector(settings: settings)
        let address = RedisNodeAddress(host: settings.host, port: settings.port)
        seed = RedisNodeConnections(address: address, lanes: connectionsPerNode, connector: connector)
        nodes.withLock { [seed] in $0[address] = seed }
    }

    func connections(to address: RedisNodeAddress) -> RedisNodeConnections {
        nodes.withLock { nodes in
            if let node = nodes[address] { return node }
            let node = RedisNodeConnections(address: address, lanes: connectionsPerNode, connector: connector)
            nodes[address] = node
            return node
        }
    }

    func shutdown() {
        nodes.withLock { Array($0.values) }.forEach { $0.shutdown() }
    }
}
