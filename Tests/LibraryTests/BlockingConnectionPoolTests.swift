import Dispatch
import Synchronization
import Testing

@testable import Resilience

/// `BlockingConnectionPool` with fake connections and jobs that block until the test lets them go:
/// the orders of events a database makes only by accident (a full pool, a session dying mid-job,
/// a shutdown with callers waiting), with no server and no sleeps.
@Suite(.timeLimit(.minutes(1)))
struct BlockingConnectionPoolTests {
    private final class FakeConnection: BlockingConnection {
        let number: Int
        private let usable = Atomic<Bool>(true)
        private let closes = Atomic<Int>(0)

        init(number: Int) { self.number = number }

        var isUsable: Bool { usable.load(ordering: .relaxed) }
        var closeCount: Int { closes.load(ordering: .relaxed) }
        func breakIt() { usable.store(false, ordering: .relaxed) }
        func close() { closes.add(1, ordering: .relaxed) }
    }

    /// Connections the fake connect made, in order.
    private final class Connections: Sendable {
        let made = Mutex<[FakeConnection]>([])
        var count: Int { made.withLock { $0.count } }

        func connect() -> FakeConnection {
            made.withLock { made in
                made.append(FakeConnection(number: made.count + 1))
                return made.last!
            }
        }
    }

    /// Something that happened on a pool thread, for the test task to await.
    private final class Signal: Sendable {
        private let state = Mutex<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

        func fire() {
            state.withLock { state in
                state.fired = true
                return state.waiter.take()
            }?.resume()
        }

        func wait() async {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state in
                    if state.fired { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        }
    }

    /// Events in the order they happened, from any thread.
    private final class Log: Sendable {
        private let entries = Mutex<[String]>([])
        func add(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    /// A job that holds one of the pool's threads until `finish()`; running once `hold` returns.
    private final class HeldJob: Sendable {
        private let release: DispatchSemaphore
        private let task: Task<Void, any Error>

        private init(release: DispatchSemaphore, task: Task<Void, any Error>) {
            self.release = release
            self.task = task
        }

        static func hold(_ pool: BlockingConnectionPool<FakeConnection>, log: Log) async -> HeldJob {
            let (started, release) = (Signal(), DispatchSemaphore(value: 0))
            let task = Task {
                try await pool.withConnection(deadline: .after(.seconds(30))) { connection in
                    log.add("held job on \(connection.number)")
                    started.fire()
                    release.wait()
                    log.add("held job ends")
                }
            }
            await started.wait()
            return HeldJob(release: release, task: task)
        }

        func finish() async throws {
            release.signal()
            try await task.value
        }
    }

    private static func pool(size: Int, _ connections: Connections) -> BlockingConnectionPool<FakeConnection> {
        BlockingConnectionPool(name: "fake", size: size) { _ in connections.connect() }
    }

    @Test func aFullPoolRunsTheNextJobWhenAThreadIsFreeOnTheSameConnection() async throws {
        let connections = Connections()
        let pool = Self.pool(size: 1, connections)
        let log = Log()
        let first = await HeldJob.hold(pool, log: log)
        let second = Task {
            try await pool.withConnection(deadline: .after(.seconds(30))) { connection in log.add("second on \(connection.number)") }
        }
        try await first.finish()
        try await second.value
        #expect(log.all == ["held job on 1", "held job ends", "second on 1"])
        #expect(connections.count == 1)
        await pool.shutdown()
    }

    @Test func aConnectionThatBreaksMidJobIsClosedAndTheNextJobGetsANewOne() async throws {
        struct Lost: Error {}
        let connections = Connections()
        let pool = Self.pool(size: 1, connections)
        await #expect(throws: Lost.self) {
            try await pool.withConnection(deadline: .after(.seconds(5))) { connection in
                connection.breakIt()
                throw Lost()
            }
        }
        let second = try await pool.withConnection(deadline: .after(.seconds(5))) { $0.number }
        #expect(second == 2)
        let made = connections.made.withLock { $0 }
        #expect(made[0].closeCount == 1 && made[1].closeCount == 0)
        await pool.shutdown()
        #expect(made[1].closeCount == 1, "shutdown closes the idle ones")
    }

    @Test func aCallerCancelledWhileWaitingStopsWaitingAtOnceAndItsJobNeverRuns() async throws {
        let connections = Connections()
        let pool = Self.pool(size: 1, connections)
        let log = Log()
        let first = await HeldJob.hold(pool, log: log)
        let waiting = Task { try await pool.withConnection(deadline: .after(.seconds(30))) { _ in log.add("the cancelled job ran") } }
        waiting.cancel()
        // The first job still holds the only thread: the cancelled caller returns regardless.
        await #expect(throws: CancellationError.self) { try await waiting.value }
        try await first.finish()
        try await pool.withConnection(deadline: .after(.seconds(5))) { _ in log.add("next") }
        #expect(log.all == ["held job on 1", "held job ends", "next"])
        await pool.shutdown()
    }

    @Test func aShutdownWithACallerWaitingFailsItsJobWithoutRunningIt() async throws {
        let connections = Connections()
        let pool = Self.pool(size: 1, connections)
        let log = Log()
        let first = await HeldJob.hold(pool, log: log)
        let waiting = Task { try await pool.withConnection(deadline: .after(.seconds(30))) { _ in log.add("waiting job ran") } }
        let shutdown = Task { await pool.shutdown() }
        try await first.finish()
        await shutdown.value
        // NIOThreadPool hands a job still queued at shutdown `.cancelled`, and so one submitted after
        // it. Only if the freed thread took the job before the shutdown began does it run: then once.
        switch await waiting.result {
        case .success: #expect(log.all == ["held job on 1", "held job ends", "waiting job ran"])
        case .failure(let error):
            #expect(error is CancellationError)
            #expect(log.all == ["held job on 1", "held job ends"])
        }
        #expect(connections.made.withLock { $0.allSatisfy { $0.closeCount == 1 } }, "every connection closed once")
    }

    @Test func aJobWhoseDeadlineHasPassedFailsWithoutConnecting() async throws {
        let connections = Connections()
        let pool = Self.pool(size: 1, connections)
        await #expect(throws: DeadlineExceededError.self) {
            try await pool.withConnection(deadline: Deadline(.now - .seconds(1))) { _ in }
        }
        #expect(connections.count == 0)
        await pool.shutdown()
    }
}
