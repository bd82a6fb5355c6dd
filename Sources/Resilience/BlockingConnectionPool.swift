import Metrics
import NIOPosix
import Synchronization
import Observability

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

    /// Runs `body` with a connection on one of the pool's threads. A cancelled caller stops waiting
    /// at once: a job not started yet is skipped, and one already running is abandoned to finish on
    /// its thread within its own deadline (its connection then returns to the pool or is closed).
    /// So a blocking C call can never hold up a shutdown.
    public func withConnection<Result: Sendable>(
        deadline: Deadline, _ body: @escaping @Sendable (Connection) throws -> Result
    ) async throws -> Result {
        let outcome = AbandonableOutcome<Result>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.await(continuation)
                threadPool.submit { [self] state in
                    guard case .active = state, !outcome.isSettled else {
                        outcome.settle(.failure(CancellationError()))
                        return
                    }
                    outcome.settle(Swift.Result { try run(body, deadline: deadline) })
                }
            }
        } onCancel: {
            outcome.settle(.failure(CancellationError()))
        }
    }

    private func run<Result>(_ body: (Connection) throws -> Result, deadline: Deadline) throws -> Result {
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

/// The answer a caller awaits from a pool job, given once: by the job, or by the caller's
/// cancellation, whichever comes first (the later one is dropped).
private final class AbandonableOutcome<Value: Sendable>: Sendable {
    private enum State {
        case pending
        case awaiting(CheckedContinuation<Value, any Error>)
        case settledEarly(Result<Value, any Error>)
        case done
    }

    private let state = Mutex<State>(.pending)

    var isSettled: Bool {
        state.withLock { if case .pending = $0 { false } else if case .awaiting = $0 { false } else { true } }
    }

    func await(_ continuation: CheckedContinuation<Value, any Error>) {
        let early: Result<Value, any Error>? = state.withLock { state in
            guard case .settledEarly(let result) = state else {
                state = .awaiting(continuation)
                return nil
            }
            state = .done
            return result
        }
        if let early { continuation.resume(with: early) }
    }

    func settle(_ result: Result<Value, any Error>) {
        let waiting: CheckedContinuation<Value, any Error>? = state.withLock { state in
            switch state {
            case .pending:
                state = .settledEarly(result)
                return nil
            case .awaiting(let continuation):
                state = .done
                return continuation
            case .settledEarly, .done:
                return nil
            }
        }
        waiting?.resume(with: result)
    }
}
