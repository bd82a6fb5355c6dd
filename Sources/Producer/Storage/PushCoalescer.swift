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

/// Turns many concurrent `POST /count`s into few RPUSHes. A few workers each take everything that
/// is waiting (up to `batchLimit`) and push it in one command; while a push is in flight, new
/// requests gather for the next one. With light traffic a request finds an idle worker and is pushed
/// at once, so batching adds no latency. With `batchLimit` 1 there is nothing to gather: each
/// request pushes its own value from its own task, pipelined with the others on the connections.
final class PushCoalescer: CountQueueing, Service {
    private struct Waiting {
        let payload: String
        let deadline: Deadline
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var waiting = Deque<Waiting>()
        var idleWorkers: [CheckedContinuation<Void, Never>] = []
        var draining = false
    }

    private let queue: QueueShards
    private let workerCount: Int
    private let batchLimit: Int
    private let backpressure: Backpressure
    private let retry: RetryPolicy
    private let history: HistoryRecorder
    /// Under a Redis outage every push fails: one line per few seconds says so, with a count.
    private let warnings: RepeatedWarnings
    private let state = Mutex(State())

    private let pushDuration = Metrics.Timer(label: MetricName.pushDuration)
    private let pushBatchSize = Recorder(label: MetricName.pushBatchSize, aggregate: true)
    private let enqueued = Counter(label: MetricName.enqueued)
    private let pushFailures = Counter(label: MetricName.pushFailures)
    private let rejected = Counter(label: MetricName.rejected, dimensions: [("reason", "high_water")])

    init(
        queue: QueueShards, workerCount: Int, batchLimit: Int, highWaterMark: Int, retry: RetryPolicy = RetryPolicy(),
        history: HistoryRecorder, logger: Logger
    ) {
        self.queue = queue
        self.workerCount = workerCount
        self.batchLimit = batchLimit
        self.backpressure = Backpressure(highWaterMark: highWaterMark, shards: queue.shards.count)
        self.retry = retry
        self.history = history
        self.warnings = RepeatedWarnings(logger: logger)
    }

    func enqueue(_ message: QueueMessage, deadline: Deadline) async throws {
        if try await backpressure.isOverHighWaterMark(queue: queue, deadline: deadline) {
            rejected.increment()
            throw QueueRejection(
                kind: .backpressure,
                reason: "the queue holds more than \(backpressure.highWaterMark) values waiting for the database; retry in a moment")
        }
        guard batchLimit > 1 else {
            guard !state.withLock({ $0.draining }) else { throw Self.shuttingDown }
            return try await push([message.encoded], deadline: deadline)
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let (accepted, worker) = state.withLock { state -> (Bool, CheckedContinuation<Void, Never>?) in
                guard !state.draining else { return (false, nil) }
                state.waiting.append(Waiting(payload: message.encoded, deadline: deadline, continuation: continuation))
                return (true, state.idleWorkers.popLast())
            }
            if accepted {
                worker?.resume()
            } else {
                continuation.resume(throwing: Self.shuttingDown)
            }
        }
    }

    private static let shuttingDown = QueueRejection(kind: .shuttingDown, reason: "the Producer is shutting down; retry on another instance")

    /// Runs the workers until graceful shutdown, then pushes what is still waiting and returns.
    func run() async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for _ in 0..<workerCount {
                    group.addTask { await self.work() }
                }
            }
        } onGracefulShutdown: {
            let idle = self.state.withLock { state in
                state.draining = true
                defer { state.idleWorkers.removeAll() }
                return state.idleWorkers
            }
            idle.forEach { $0.resume() }
        }
    }

    private func work() async {
        while let batch = await nextBatch() {
            await push(batch)
        }
    }

    /// The next batch, waiting for one if need be; nil once draining and nothing is left.
    private func nextBatch() async -> [Waiting]? {
        enum Step {
            case batch([Waiting])
            case finished
            case wait
        }
        while true {
            let step = state.withLock { state -> Step in
                if !state.waiting.isEmpty {
                    let count = min(batchLimit, state.waiting.count)
                    defer { state.waiting.removeFirst(count) }
                    return .batch(Array(state.waiting.prefix(count)))
                }
                return state.draining ? .finished : .wait
            }
            switch step {
            case .batch(let batch): return batch
            case .finished: return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let wakeNow = state.withLock { state -> Bool in
                        if !state.waiting.isEmpty || state.draining { return true }
                        state.idleWorkers.append(continuation)
                        return false
                    }
                    if wakeNow { continuation.resume() }
                }
            }
        }
    }

    private func push(_ batch: [Waiting]) async {
        do {
            try await push(batch.map(\.payload), deadline: batch.map(\.deadline).min()!)
            batch.forEach { $0.continuation.resume() }
        } catch {
            batch.forEach { $0.continuation.resume(throwing: error) }
        }
    }

    private func push(_ payloads: [String], deadline: Deadline) async throws {
        let started = ContinuousClock.now
        do {
            // A retry goes to the next shard: away from a primary that is failing over, when there are several.
            let pushed = try await retry.run(deadline: deadline.instant, shouldRetry: shouldRetry) {
                try await queue.push(payloads, deadline: deadline)
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
        return error.isTransient || (error.kind == .replication && queue.shards.count > 1)
    }
}
