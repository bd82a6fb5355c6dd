import DequeModule
import Logging
import Metrics
import ServiceLifecycle
import Message
import Observability
import Queue
import Redis
import Resilience
import Synchronization

/// Where the coalescer's pushes go: the queue's shards (`QueueShards`); a fake in the unit tests.
protocol PushTarget: Sendable {
    var shardCount: Int { get }
    /// Appends the payloads in order to one shard; returns which shard and its length afterwards.
    func push(_ payloads: [String], deadline: Deadline) async throws -> (shard: Int, length: Int64)
    /// Every shard's length (the high-water check while refusing).
    func lengths(deadline: Deadline) async throws -> [Int64]
}

extension QueueShards: PushTarget {
    var shardCount: Int { shards.count }
}

/// Turns many concurrent `POST /count`s into few RPUSHes, without a task of its own: a request that
/// finds fewer than `concurrentPushes` pushes in flight pushes at once, from its own task (no hop to
/// a worker and back); the others wait in arrival order. When a push is answered, its waiters are
/// resumed and the first of the values that gathered meanwhile (up to `batchLimit`) is woken to push
/// them all in one command. A value whose deadline passes while it waits is answered without being
/// pushed (nothing was stored), so no request waits beyond its deadline for a turn. With `batchLimit` 1
/// there is nothing to gather: each request pushes its own value, pipelined on the connections.
final class PushCoalescer: CountQueueing, Service {
    private struct Waiting {
        let payload: String
        let deadline: Deadline
        let continuation: CheckedContinuation<Turn, any Error>
    }

    /// What a waiting request is woken for: its value was pushed by another, or it is to push
    /// `batch`, whose first value is its own.
    private enum Turn {
        case pushed
        case lead(_ batch: [Waiting])
    }

    private struct State {
        var waiting = Deque<Waiting>()
        /// Pushes in flight; while values wait, this is `concurrentPushes` and each push in flight
        /// hands the next batch on when answered, so no value is left without a push to come.
        var pushing = 0
        var draining = false
        /// `drain()`, waiting for the last push in flight.
        var drained: CheckedContinuation<Void, Never>?
    }

    private let target: any PushTarget
    private let concurrentPushes: Int
    private let batchLimit: Int
    private let backpressure: Backpressure
    private let retry: RetryPolicy
    private let history: HistoryRecorder
    /// The clock deadlines are read on; the unit tests move it by hand.
    private let now: @Sendable () -> ContinuousClock.Instant
    /// Under a Redis outage every push fails: one line per few seconds says so, with a count.
    private let warnings: RepeatedWarnings
    private let state = Mutex(State())

    private let pushDuration = Metrics.Timer(label: MetricName.pushDuration)
    private let pushBatchSize = Recorder(label: MetricName.pushBatchSize, aggregate: true)
    private let enqueued = Counter(label: MetricName.enqueued)
    private let pushFailures = Counter(label: MetricName.pushFailures)
    private let rejected = Counter(label: MetricName.rejected, dimensions: [("reason", "high_water")])

    init(
        target: any PushTarget, concurrentPushes: Int, batchLimit: Int, highWaterMark: Int, retry: RetryPolicy = RetryPolicy(),
        history: HistoryRecorder, logger: Logger, now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
    ) {
        precondition(concurrentPushes > 0 && batchLimit > 0)
        self.target = target
        self.concurrentPushes = concurrentPushes
        self.batchLimit = batchLimit
        self.backpressure = Backpressure(highWaterMark: highWaterMark, shards: target.shardCount)
        self.retry = retry
        self.history = history
        self.now = now
        self.warnings = RepeatedWarnings(logger: logger)
    }

    func enqueue(_ message: QueueMessage, deadline: Deadline) async throws {
        if try await backpressure.isOverHighWaterMark(queue: target, deadline: deadline) {
            rejected.increment()
            throw QueueRejection(
                kind: .backpressure,
                reason: "the queue holds more than \(backpressure.highWaterMark) values waiting for the database; retry in a moment")
        }
        guard batchLimit > 1 else {
            guard !state.withLock({ $0.draining }) else { throw Self.shuttingDown }
            return try await push([message.encoded], deadline: deadline)
        }
        let payload = message.encoded  // built before the lock, which every request takes
        let turn = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
            enum Next {
                case refuse, wait
                case lead([Waiting])
            }
            let next = state.withLock { state -> Next in
                guard !state.draining else { return .refuse }
                state.waiting.append(Waiting(payload: payload, deadline: deadline, continuation: continuation))
                guard state.pushing < concurrentPushes else { return .wait }
                // Values wait only while every push is in flight, so this batch is this request's value alone.
                state.pushing += 1
                return .lead(takeBatch(&state))
            }
            switch next {
            case .refuse: continuation.resume(throwing: Self.shuttingDown)
            case .wait: break
            case .lead(let batch): continuation.resume(returning: .lead(batch))
            }
        }
        if case .lead(let batch) = turn {
            try await lead(batch)
        }
    }

    private static let shuttingDown = QueueRejection(kind: .shuttingDown, reason: "the Producer is shutting down; retry on another instance")

    /// Waits for graceful shutdown, then for what is still waiting to be pushed.
    func run() async {
        try? await gracefulShutdown()
        await drain()
    }

    /// Refuses new values from now on and returns once every value that was waiting has been
    /// pushed (or has failed) and answered.
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                state.draining = true
                guard state.pushing > 0 else { return true }
                state.drained = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Values waiting for a push, and whether new ones are refused: what the unit tests watch.
    var waitingCount: Int { state.withLock { $0.waiting.count } }
    var isDraining: Bool { state.withLock { $0.draining } }

    /// Up to `batchLimit` values from the front of the line.
    private func takeBatch(_ state: inout State) -> [Waiting] {
        let count = min(batchLimit, state.waiting.count)
        defer { state.waiting.removeFirst(count) }
        return Array(state.waiting.prefix(count))
    }

    /// Pushes `batch` (the first value is the caller's own), answers the others, hands the next
    /// batch to its first request, and returns or throws the caller's own outcome.
    private func lead(_ batch: [Waiting]) async throws {
        let instant = now()
        let inTime = batch.map { $0.deadline.instant > instant }
        let live = zip(batch, inTime).filter(\.1).map(\.0)
        var outcome: Result<Void, any Error> = .success(())
        if !live.isEmpty {
            do {
                try await push(live.map(\.payload), deadline: live.map(\.deadline).min()!)
            } catch {
                outcome = .failure(error)
            }
        }
        let next = state.withLock { state -> (batch: [Waiting], drained: CheckedContinuation<Void, Never>?) in
            let batch = takeBatch(&state)
            guard batch.isEmpty else { return (batch, nil) }
            state.pushing -= 1
            guard state.pushing == 0 else { return ([], nil) }
            defer { state.drained = nil }
            return ([], state.drained)
        }
        let late = DeadlineExceededError(operation: "waiting for a turn to push to Redis")
        for (waiting, wasInTime) in zip(batch, inTime).dropFirst() {
            waiting.continuation.resume(with: wasInTime ? outcome.map { Turn.pushed } : .failure(late))
        }
        if let first = next.batch.first { first.continuation.resume(returning: .lead(next.batch)) }
        next.drained?.resume()
        guard inTime[0] else { throw late }
        try outcome.get()
    }

    private func push(_ payloads: [String], deadline: Deadline) async throws {
        let started = ContinuousClock.now
        do {
            // A retry goes to the next shard: away from a primary that is failing over, when there are several.
            let pushed = try await retry.run(deadline: deadline.instant, shouldRetry: shouldRetry) {
                try await target.push(payloads, deadline: deadline)
            }
            backpressure.observe(shard: pushed.shard, length: pushed.length)
            pushDuration.recordNanoseconds(Int64((ContinuousClock.now - started).seconds * 1e9))
            pushBatchSize.record(payloads.count)
            enqueued.increment(by: payloads.count)
            history.add(HistoryField.accepted, payloads.count)
        } catch {
            pushFailures.increment(by: payloads.count)
            warnings.warning("push to Redis failed", metadata: ["error": "\(error)", "messages": "\(payloads.count)"])
            throw error
        }
    }

    /// A shard whose replicas fell short (REDIS_WAIT_REPLICAS) is worth leaving for another one, if any.
    private func shouldRetry(_ error: any Error) -> Bool {
        guard let error = error as? RedisError else { return false }
        return error.isTransient || (error.kind == .replication && target.shardCount > 1)
    }
}
