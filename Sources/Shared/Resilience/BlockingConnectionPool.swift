import Metrics
import NIOPosix
import Synchronization

/// A connection owned by a `BlockingConnectionPool`: used by one thread at a time, closed by its owner.
public protocol BlockingConnection: AnyObject, Sendable {
    /// False once an I/O error or protocol desync has left the connection unusable.
    var isUsable: Bool { get }
    func close()
}

/// Runs blocking C-library calls on its own threads, never on the NIO event loops, with one
/// connection per thread at most. Broken connections are closed and replaced on next use, so a
/// server that comes back is picked up without a restart.
///
/// Deadlines hold without timers: a job that starts after its deadline fails at once, and every
/// blocking call inside a job is bounded by what is left of the deadline. Jobs run in FIFO order,
/// so the jobs ahead of one end no later than their own (earlier) deadlines.
public final class BlockingConnectionPool<Connection: BlockingConnection>: Sendable {
    public typealias Connect = @Sendable (Deadline) throws -> Connection

    private let name: String
    private let threadPool: NIOThreadPool
    private let idle = Mutex<[Connection]>([])
    private let connect: Connect
    /// Every connection opened; more than the pool size means reconnects.
    private let connectionsOpened: Counter

    public init(name: String, size: Int, connect: @escaping Connect) {
        self.name = name
        self.connect = connect
        self.connectionsOpened = Counter(label: MetricName.connectionsOpened, dimensions: [("backend", name.lowercased())])
        self.threadPool = NIOThreadPool(numberOfThreads: size)
        threadPool.start()
    }

    /// Runs `body` with a connection on one of the pool's threads.
    public func withConnection<Result: Sendable>(
        deadline: Deadline, _ body: @escaping @Sendable (Connection) throws -> Result
    ) async throws -> Result {
        try await threadPool.runIfActive { [self] in
            guard !deadline.hasPassed else { throw DeadlineExceededError(operation: name) }
            let connection = try idle.withLock { $0.popLast() } ?? openConnection(deadline)
            defer {
                if connection.isUsable {
                    idle.withLock { $0.append(connection) }
                } else {
                    connection.close()
                }
            }
            return try body(connection)
        }
    }

    private func openConnection(_ deadline: Deadline) throws -> Connection {
        let connection = try connect(deadline)
        connectionsOpened.increment()
        return connection
    }

    /// Closes every idle connection and stops the threads after the jobs already queued.
    public func shutdown() async {
        try? await threadPool.shutdownGracefully()
        let connections = idle.withLock { idle in
            defer { idle.removeAll() }
            return idle
        }
        connections.forEach { $0.close() }
    }
}
