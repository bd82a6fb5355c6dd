import Metrics
import Synchronization
import Observability
import Resilience
import Settings

/// The connections to one Redis node. Ordinary commands share a few long-lived connections
/// (`lanes`, taken in turn), pipelined: many callers in flight on each. A command that blocks on
/// the server (BLMOVE) would hold up everything behind it, so each gets a connection to itself,
/// kept for the next such command. A lane whose connection broke connects again on next use,
/// once for all the callers that find it so.
final class RedisNodeConnections: Sendable {
    let address: RedisNodeAddress
    private let connector: RedisConnector
    private let lanes: [Lane]
    private let nextLane = Atomic<Int>(0)
    private let idleBlocking = Mutex<[RedisConnection]>([])

    init(address: RedisNodeAddress, lanes: Int, connector: RedisConnector) {
        self.address = address
        self.connector = connector
        self.lanes = (0..<lanes).map { _ in Lane() }
    }

    /// Sends the commands in one write on a shared connection; replies in order.
    func send(_ commands: [[[UInt8]]], deadline: Deadline) async throws -> [RedisValue] {
        let lane = lanes[nextLane.wrappingAdd(1, ordering: .relaxed).oldValue % lanes.count]
        let connection = try await lane.connection(to: address, by: connector.connect, deadline: deadline)
        let replies = try await connection.replies(to: commands, deadline: deadline)
        if replies.contains(where: \.isReadOnlyReplicaError) { connection.close() }  // the lane connects afresh next time
        return replies
    }

    /// Sends the commands on a connection of their own. Unless they were answered, the connection
    /// still owes a reply, so it is closed rather than kept.
    func sendBlocking(_ commands: [[[UInt8]]], deadline: Deadline) async throws -> [RedisValue] {
        let kept = idleBlocking.withLock { idle in
            idle.removeAll { !$0.isUsable }
            return idle.popLast()
        }
        let connection = if let kept { kept } else { try await connector.connect(to: address, deadline: deadline) }
        do {
            let replies = try await connection.replies(to: commands, deadline: deadline)
            if replies.contains(where: \.isReadOnlyReplicaError) {
                connection.close()
            } else {
                idleBlocking.withLock { $0.append(connection) }
            }
            return replies
        } catch {
            connection.close()
            throw error
        }
    }

    func shutdown() {
        lanes.forEach { $0.close() }
        idleBlocking.withLock { idle in
            idle.forEach { $0.close() }
            idle.removeAll()
        }
    }
}

/// One shared connection, made on demand: callers that find it missing or broken await the same
/// attempt to connect (single flight), rather than each opening one.
final class Lane: Sendable {
    /// Opens a connection to the node (`RedisConnector.connect`; a fake in the unit tests).
    typealias Connect = @Sendable (RedisNodeAddress, Deadline) async throws(RedisError) -> RedisConnection

    private enum State {
        case empty
        case connecting(Task<RedisConnection, any Error>)
        case ready(RedisConnection)
        case closed
    }

    private let state = Mutex(State.empty)

    /// The lane's connection; if it has none that works, one made by `connector` within `deadline`.
    func connection(to address: RedisNodeAddress, by connect: @escaping Connect, deadline: Deadline) async throws -> RedisConnection {
        enum Next {
            case use(RedisConnection)
            case await(Task<RedisConnection, any Error>)
        }
        let next: Next = try state.withLock { state in
            switch state {
            case .ready(let connection) where connection.isUsable:
                return .use(connection)
            case .connecting(let attempt):
                return .await(attempt)
            case .closed:
                throw RedisError(kind: .connection, message: "the Redis client is shut down")
            case .ready, .empty:
                let attempt = Task { try await connect(address, deadline) }
                state = .connecting(attempt)
                return .await(attempt)
            }
        }
        let attempt: Task<RedisConnection, any Error>
        switch next {
        case .use(let connection): return connection
        case .await(let pending): attempt = pending
        }
        // The attempt is shared by every caller waiting for this lane, so it goes on for them (and for
        // the next call), but a caller being shut down must not wait out a connect deadline on a silent path.
        guard let result = await resultUnlessCancelled(of: attempt) else { throw CancellationError() }
        let shutDown = state.withLock { state -> Bool in
            if case .connecting(let current) = state, current == attempt {
                state = (try? result.get()).map(State.ready) ?? .empty
            }
            if case .closed = state { return true }
            return false
        }
        if shutDown { try? result.get().close() }
        return try result.get()
    }

    func close() {
        let previous = state.withLock { state in
            defer { state = .closed }
            return state
        }
        if case .ready(let connection) = previous { connection.close() }
    }
}

/// Opens connections to any node with the settings' credentials and TLS. A refusal (a wrong
/// password, a certificate not trusted) holds back further attempts for a while: see `LoginBackoff`.
struct RedisConnector: Sendable {
    /// Read at each new connection, so a rotated secret reaches every new connection.
    let credentials: any CredentialSource
    /// Made once, at start; a failure here fails every connection, never falls back to plain text.
    let tls: Result<RedisTLS, ConfigurationError>?
    let refusals = LoginBackoff()
    /// Every connection opened; more than the lanes' count means reconnects.
    private let connectionsOpened = Counter(label: MetricName.connectionsOpened, dimensions: [("backend", "redis")])

    init(settings: RedisSettings) {
        credentials = settings.credentials
        tls = settings.tls.map { tlsSettings in Result { () throws(ConfigurationError) in try RedisTLS.shared(tlsSettings) } }
    }

    func connect(to address: RedisNodeAddress, deadline: Deadline) async throws(RedisError) -> RedisConnection {
        let credential = credentials.current
        let connection = try await refusals.attempt(credentialVersion: credential.version) { () async throws(RedisError) in
            let tls = try tls?.mapError { RedisError(kind: .unsupported, message: "\($0)") }.get()
            do {
                let connection = try await RedisConnection.connect(
                    to: address, username: credential.user, password: credential.password, tls: tls, deadline: deadline
                ).get()
                credentials.accepted(credential)
                return connection
            } catch let refusal as RedisError where refusal.kind == .authentication {
                credentials.refused(credential)  // WRONGPASS, NOPERM: a rotating secret is fetched again
                throw refusal
            } catch {
                throw error as? RedisError ?? RedisError(kind: .connection, message: "connection to \(address) failed: \(error)")
            }
        }
        connectionsOpened.increment()
        return connection
    }
}
