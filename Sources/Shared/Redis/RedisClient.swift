import Synchronization

/// Redis for async code: pools of hiredis connections on their own threads, reconnecting on demand.
///
/// With `REDIS_CLUSTER=true` it routes every call to the primary that owns its routing key's slot
/// (one pool per primary), follows MOVED and ASK, and re-reads the slot map when the cluster
/// changes. Every call names its routing key; all keys of one call must share that key's slot,
/// which the queue's hash-tagged keys do. Without cluster mode the key is ignored.
public final class RedisClient: Sendable {
    public let settings: RedisSettings
    private let nodes: NodePools
    private let router: ClusterRouter?
    private static let maxRedirects = 5

    /// The configuration was checked at start (`RedisSettings(from:)`), so TLS setup failing here
    /// is unexpected; it still never falls back to plain text: every connection then fails with it.
    public init(settings: RedisSettings, poolSize: Int? = nil) {
        self.settings = settings
        let nodes = NodePools(settings: settings, poolSize: poolSize ?? settings.poolSize)
        self.nodes = nodes
        self.router = settings.cluster
            ? ClusterRouter(seed: nodes.seed) { address in
                let reply = try await nodes.pool(for: address).withConnection(deadline: .after(.seconds(1))) { connection in
                    try connection.run(["CLUSTER", "SLOTS"], timeout: .seconds(1))
                }
                return try ClusterSlotMap(clusterSlots: reply, askedHost: address.host)
            }
            : nil
    }

    /// Sends the commands in one round trip, bounded by the deadline.
    public func pipeline(_ commands: [[String]], routingKey: String?, deadline: Deadline) async throws -> [RedisValue] {
        try await execute(commands.map { $0.map { Array($0.utf8) } }, routingKey: routingKey, deadline: deadline, timeout: nil)
    }

    /// One command with raw-byte arguments (binary-safe); an error reply is thrown as `RedisError`.
    @discardableResult
    public func run(bytes command: [[UInt8]], routingKey: String?, deadline: Deadline) async throws -> RedisValue {
        try await execute([command], routingKey: routingKey, deadline: deadline, timeout: nil)[0].check()
    }

    /// One command; an error reply is thrown as `RedisError`.
    @discardableResult
    public func run(_ command: [String], routingKey: String?, deadline: Deadline) async throws -> RedisValue {
        try await pipeline([command], routingKey: routingKey, deadline: deadline)[0].check()
    }

    /// A command that blocks on the server for up to `blockFor` (BLMOVE and friends).
    @discardableResult
    public func runBlocking(_ command: [String], routingKey: String?, blockFor: Duration, deadline: Deadline) async throws -> RedisValue {
        let timeout = blockFor + max(deadline.remaining, .milliseconds(500))
        return try await execute([command.map { Array($0.utf8) }], routingKey: routingKey, deadline: deadline, timeout: timeout)[0].check()
    }

    /// PING on any node: the readiness probes, and the start-up check, where `RedisError.isRefusal`
    /// means the configuration is wrong (credentials, TLS) and will stay so until someone changes it.
    public func ping(deadline: Deadline) async throws {
        try await run(["PING"], routingKey: nil, deadline: deadline)
    }

    public func shutdown() async {
        await nodes.shutdown()
    }

    /// Runs the commands on the node that serves `routingKey`, following redirects: a command
    /// answered MOVED or ASK was not executed, so sending it again to the right node is safe.
    private func execute(_ commands: [[[UInt8]]], routingKey: String?, deadline: Deadline, timeout: Duration?) async throws -> [RedisValue] {
        guard let router else {
            return try await send(commands, via: nodes.seedPool, asking: false, deadline: deadline, timeout: timeout)
        }
        var target = try await router.primary(forSlot: routingKey.map(HashSlot.of))
        var replies = [RedisValue?](repeating: nil, count: commands.count)
        var pending = Array(commands.indices)
        var asking = false
        for _ in 0...Self.maxRedirects {
            let answered: [RedisValue]
            do {
                answered = try await send(
                    pending.map { commands[$0] }, via: nodes.pool(for: target), asking: asking, deadline: deadline, timeout: timeout)
            } catch let error as RedisError where error.kind == .connection || error.kind == .unavailable {
                await router.markStale()  // the primary may be gone, its replica taking over
                throw error
            }
            var redirect: ClusterRedirect?
            var stillPending: [Int] = []
            for (index, reply) in zip(pending, answered) {
                if let found = ClusterRedirect(reply, defaultHost: target.host) {
                    redirect = redirect ?? found
                    stillPending.append(index)
                } else {
                    if case .error(let message) = reply, message.hasPrefix("CLUSTERDOWN") { await router.markStale() }
                    replies[index] = reply
                }
            }
            guard let redirect else { return replies.map { $0! } }
            if case .moved = redirect { await router.markStale() }
            asking = if case .ask = redirect { true } else { false }
            target = redirect.target
            pending = stillPending
        }
        throw RedisError(kind: .unavailable, message: "TRYAGAIN more than \(Self.maxRedirects) cluster redirects for one call")
    }

    private func send(
        _ commands: [[[UInt8]]], via pool: BlockingConnectionPool<RedisConnection>, asking: Bool, deadline: Deadline, timeout: Duration?
    ) async throws -> [RedisValue] {
        try await pool.withConnection(deadline: deadline) { connection in
            let timeout = timeout ?? deadline.remaining
            // ASKING admits exactly the next command on this connection into a slot being imported.
            guard asking else { return try connection.pipeline(bytes: commands, timeout: timeout) }
            return try commands.map { command in
                try connection.pipeline(bytes: [[Array("ASKING".utf8)], command], timeout: timeout)[1]
            }
        }
    }
}

/// One connection pool per Redis node, made on first use; all of them share the TLS context and
/// the backoff that keeps a refused login from repeating at every request.
private final class NodePools: Sendable {
    let seed: RedisNodeAddress
    /// The pool of `REDIS_HOST`, at hand without a lookup: the only one of a single primary.
    let seedPool: BlockingConnectionPool<RedisConnection>
    private let poolSize: Int
    private let connect: @Sendable (RedisNodeAddress, Deadline) throws -> RedisConnection
    private let pools = Mutex<[RedisNodeAddress: BlockingConnectionPool<RedisConnection>]>([:])

    init(settings: RedisSettings, poolSize: Int) {
        seed = RedisNodeAddress(host: settings.host, port: settings.port)
        self.poolSize = poolSize
        let tls: Result<RedisTLSContext, RedisError>? = settings.tls.map { tlsSettings in
            Result { () throws(RedisTLSSetupError) in try RedisTLSContext.shared(tlsSettings) }
                .mapError { RedisError(kind: .unsupported, message: $0.reason) }
        }
        let refusals = RefusalBackoff()
        let connect: @Sendable (RedisNodeAddress, Deadline) throws -> RedisConnection = { address, deadline in
            try refusals.attempt { () throws(RedisError) in
                try RedisConnection.connect(
                    host: address.host, port: address.port, username: settings.username, password: settings.password,
                    tls: tls?.get(), timeout: deadline.remaining)
            }
        }
        self.connect = connect
        seedPool = Self.makePool(for: seed, size: poolSize, connect: connect)
        pools.withLock { $0[seed] = seedPool }
    }

    func pool(for address: RedisNodeAddress) -> BlockingConnectionPool<RedisConnection> {
        pools.withLock { pools in
            if let pool = pools[address] { return pool }
            let pool = Self.makePool(for: address, size: poolSize, connect: connect)
            pools[address] = pool
            return pool
        }
    }

    private static func makePool(
        for address: RedisNodeAddress, size: Int, connect: @escaping @Sendable (RedisNodeAddress, Deadline) throws -> RedisConnection
    ) -> BlockingConnectionPool<RedisConnection> {
        BlockingConnectionPool(name: "Redis", size: size) { deadline in try connect(address, deadline) }
    }

    func shutdown() async {
        for pool in pools.withLock({ Array($0.values) }) {
            await pool.shutdown()
        }
    }
}
