import Logging
import Message
import Queue
import Redis
import Resilience
import Synchronization
import Testing

@testable import Producer

/// The coalescer's order of events against a fake push target that answers each push only when the
/// test says so, on a clock the test moves: no sockets, no sleeps.
@Suite struct PushCoalescerTests {
    /// Records every push and holds it until `answerNext` answers it.
    final class GatedTarget: PushTarget {
        private struct Pending {
            let payloads: [String]
            let reply: CheckedContinuation<Result<Void, any Error>, Never>
        }

        private let pending = Mutex<[Pending]>([])
        private let pushed = Mutex<[[String]]>([])

        var shardCount: Int { 1 }
        var pushes: [[String]] { pushed.withLock { $0 } }

        func push(_ payloads: [String], deadline: Deadline) async throws -> (shard: Int, length: Int64) {
            pushed.withLock { $0.append(payloads) }
            let result = await withCheckedContinuation { reply in pending.withLock { $0.append(Pending(payloads: payloads, reply: reply)) } }
            try result.get()
            return (0, Int64(payloads.count))
        }

        func lengths(deadline: Deadline) async throws -> [Int64] { [0] }

        /// Waits for the next push to arrive, runs `before` (a clock move, say), answers it with
        /// `result`, and returns the ids it carried.
        @discardableResult
        func answerNext(with result: Result<Void, any Error> = .success(()), before: () -> Void = {}) async throws -> [String] {
            let next = try await eventually("a push to answer") { pending.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
            before()
            next.reply.resume(returning: result)
            return next.payloads.map(PushCoalescerTests.id)
        }
    }

    final class ManualClock: Sendable {
        private let instant = Mutex(ContinuousClock.now)
        var now: ContinuousClock.Instant { instant.withLock { $0 } }
        func advance(by duration: Duration) { instant.withLock { $0 += duration } }
    }

    struct Refused: Error, Equatable {}

    let clock = ManualClock()
    let target = GatedTarget()

    func coalescer(concurrentPushes: Int = 1, batchLimit: Int) -> PushCoalescer {
        let unusedQueue = QueueShards(redis: RedisClient(settings: RedisSettings(host: "unused")), settings: QueueSettings())
        return PushCoalescer(
            target: target, concurrentPushes: concurrentPushes, batchLimit: batchLimit, highWaterMark: 0,
            history: HistoryRecorder(queue: unusedQueue, logger: Logger(label: "test")), logger: Logger(label: "test"),
            now: { [clock] in clock.now })
    }

    static func id(_ payload: String) -> String {
        (try? QueueMessage.decode(Array(payload.utf8)).id) ?? payload
    }

    /// Enqueues a value named `id` (timeout 5 s on the manual clock) in a task of its own, and
    /// returns once it is pushing or waiting in line, so the order of the calls is the order of arrival.
    func send(_ id: String, to coalescer: PushCoalescer, expectWaiting waiting: Int) async throws -> Task<Void, any Error> {
        let deadline = Deadline(clock.now + .seconds(5))
        let task = Task { try await coalescer.enqueue(QueueMessage(id: id, count: 1, enqueuedAtMilliseconds: 0), deadline: deadline) }
        try await eventually("\(id) to be in line") { coalescer.waitingCount == waiting ? true : nil }
        return task
    }

    /// `send` when nothing waits: returns once the value's own push is in flight, the `inFlight`-th.
    func sendPushing(_ id: String, to coalescer: PushCoalescer, inFlight: Int = 1) async throws -> Task<Void, any Error> {
        let task = try await send(id, to: coalescer, expectWaiting: 0)
        try await eventually("\(id)'s push") { target.pushes.count == inFlight ? true : nil }
        return task
    }

    @Test func valuesGatherWhileAPushIsInFlightAndGoInArrivalOrder() async throws {
        let coalescer = coalescer(batchLimit: 3)
        let a = try await sendPushing("a", to: coalescer)
        let waiting = try await (1...4).asyncMap { try await send(["b", "c", "d", "e"][$0 - 1], to: coalescer, expectWaiting: $0) }
        #expect(try await target.answerNext() == ["a"])
        #expect(try await target.answerNext() == ["b", "c", "d"])
        #expect(try await target.answerNext() == ["e"])
        for task in [a] + waiting { try await task.value }
        #expect(target.pushes.map { $0.map(Self.id) } == [["a"], ["b", "c", "d"], ["e"]])
        #expect(coalescer.waitingCount == 0)
    }

    @Test func pushesInFlightAtOnceAreBoundedAndEachHandsOnTheNextBatch() async throws {
        let coalescer = coalescer(concurrentPushes: 2, batchLimit: 10)
        let a = try await sendPushing("a", to: coalescer)
        let b = try await sendPushing("b", to: coalescer, inFlight: 2)
        let c = try await send("c", to: coalescer, expectWaiting: 1)
        let d = try await send("d", to: coalescer, expectWaiting: 2)
        #expect(target.pushes.count == 2, "a third push must wait for one of the two in flight")
        #expect(try await target.answerNext() == ["a"])
        #expect(try await target.answerNext() == ["b"])
        #expect(try await target.answerNext() == ["c", "d"])
        for task in [a, b, c, d] { try await task.value }
    }

    /// A push answered after its deadline still stored the values: they are reported stored (a 201),
    /// since a retry by the client would store them twice. A value whose deadline passed while it
    /// waited for a turn is answered at once without being pushed: nothing of it was stored.
    @Test func aReplyAfterTheDeadlineCountsAndAValueThatWaitedPastItsDeadlineIsNotPushed() async throws {
        let coalescer = coalescer(batchLimit: 10)
        let a = try await sendPushing("a", to: coalescer)
        let b = try await send("b", to: coalescer, expectWaiting: 1)
        clock.advance(by: .seconds(4))
        let c = try await send("c", to: coalescer, expectWaiting: 2)
        #expect(try await target.answerNext(before: { clock.advance(by: .seconds(2)) }) == ["a"])
        try await a.value
        #expect(try await target.answerNext() == ["c"], "b's deadline passed in line: only c is pushed")
        await #expect(throws: DeadlineExceededError.self) { try await b.value }
        try await c.value
        #expect(target.pushes.map { $0.map(Self.id) } == [["a"], ["c"]])
    }

    @Test func aFailedBatchFailsEachOfItsValuesAndTheNextBatchStillGoes() async throws {
        let coalescer = coalescer(batchLimit: 2)
        let a = try await sendPushing("a", to: coalescer)
        let b = try await send("b", to: coalescer, expectWaiting: 1)
        let c = try await send("c", to: coalescer, expectWaiting: 2)
        let d = try await send("d", to: coalescer, expectWaiting: 3)
        #expect(try await target.answerNext() == ["a"])
        #expect(try await target.answerNext(with: .failure(Refused())) == ["b", "c"])
        #expect(try await target.answerNext() == ["d"])
        try await a.value
        await #expect(throws: Refused.self) { try await b.value }
        await #expect(throws: Refused.self) { try await c.value }
        try await d.value
    }

    @Test func drainRefusesNewValuesAndReturnsOnceTheWaitingOnesArePushed() async throws {
        let coalescer = coalescer(batchLimit: 10)
        let a = try await sendPushing("a", to: coalescer)
        let b = try await send("b", to: coalescer, expectWaiting: 1)
        let c = try await send("c", to: coalescer, expectWaiting: 2)
        let drained = Mutex(false)
        let drain = Task {
            await coalescer.drain()
            drained.withLock { $0 = true }
        }
        try await eventually("the drain to begin") { coalescer.isDraining ? true : nil }
        await #expect(throws: QueueRejection(kind: .shuttingDown, reason: "the Producer is shutting down; retry on another instance")) {
            try await coalescer.enqueue(QueueMessage(id: "late", count: 1, enqueuedAtMilliseconds: 0), deadline: Deadline(clock.now + .seconds(5)))
        }
        #expect(!drained.withLock { $0 }, "b and c are still waiting")
        #expect(try await target.answerNext() == ["a"])
        #expect(!drained.withLock { $0 }, "b and c are still waiting")
        #expect(try await target.answerNext() == ["b", "c"])
        await drain.value
        for task in [a, b, c] { try await task.value }
        #expect(target.pushes.map { $0.map(Self.id) } == [["a"], ["b", "c"]])
    }
}

/// Polls `probe` (yielding between tries, never sleeping) until it returns a value.
func eventually<Value>(_ what: String, tries: Int = 200_000, _ probe: () async throws -> Value?) async throws -> Value {
    for _ in 0..<tries {
        if let value = try await probe() { return value }
        await Task.yield()
    }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
