import Resilience
import Synchronization

/// Refuses new values while the queue is above its high-water mark, so a stalled database makes
/// clients back off (429) instead of growing Redis without bound. The queue length comes for free
/// with every RPUSH reply; while refusing (no pushes), it is re-read with LLEN at most every 200 ms.
final class Backpressure: Sendable {
    let highWaterMark: Int
    private static let recheckInterval: Duration = .milliseconds(200)

    private struct Observation {
        /// The last length seen of each queue shard; their sum is the queue's.
        var lengths: [Int64]
        var at: ContinuousClock.Instant = .now
        var total: Int64 { lengths.reduce(0, +) }
    }

    private let latest: Mutex<Observation>

    /// - Parameter highWaterMark: 0 turns backpressure off.
    init(highWaterMark: Int, shards: Int) {
        self.highWaterMark = highWaterMark
        self.latest = Mutex(Observation(lengths: Array(repeating: 0, count: shards)))
    }

    func observe(shard: Int, length: Int64) {
        latest.withLock {
            $0.lengths[shard] = length
            $0.at = .now
        }
    }

    func isOverHighWaterMark(queue: any PushTarget, deadline: Deadline) async throws -> Bool {
        guard highWaterMark > 0 else { return false }
        let observation = latest.withLock { $0 }
        guard observation.total >= highWaterMark else { return false }
        guard ContinuousClock.now - observation.at >= Self.recheckInterval else { return true }
        let fresh = Observation(lengths: try await queue.lengths(deadline: deadline))
        latest.withLock { $0 = fresh }
        return fresh.total >= highWaterMark
    }
}
