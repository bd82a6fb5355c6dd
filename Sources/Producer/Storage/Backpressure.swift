import Shared
import Synchronization

/// Refuses new values while the queue is above its high-water mark, so a stalled database makes
/// clients back off (429) instead of growing Redis without bound. The queue length comes for free
/// with every RPUSH reply; while refusing (no pushes), it is re-read with LLEN at most every 200 ms.
final class Backpressure: Sendable {
    let highWaterMark: Int
    private static let recheckInterval: Duration = .milliseconds(200)

    private struct Observation {
        var length: Int64 = 0
        var at: ContinuousClock.Instant = .now
    }

    private let latest = Mutex(Observation())

    /// - Parameter highWaterMark: 0 turns backpressure off.
    init(highWaterMark: Int) {
        self.highWaterMark = highWaterMark
    }

    func observe(queueLength: Int64) {
        latest.withLock { $0 = Observation(length: queueLength, at: .now) }
    }

    func isOverHighWaterMark(queue: WorkQueue, deadline: Deadline) async throws -> Bool {
        guard highWaterMark > 0 else { return false }
        let observation = latest.withLock { $0 }
        guard observation.length >= highWaterMark else { return false }
        guard ContinuousClock.now - observation.at >= Self.recheckInterval else { return true }
        let length = try await queue.length(deadline: deadline)
        observe(queueLength: length)
        return length >= highWaterMark
    }
}
