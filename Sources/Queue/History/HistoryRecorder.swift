import Logging
import Synchronization
import Message
import Observability
import Redis
import Resilience

/// Counts what a program does into the history buckets in Redis. Counts gather in memory and
/// `flush` writes them in one pipeline (per bucket: one HINCRBY per counter and an EXPIRE), so the
/// cost is a few commands per push batch or insert batch, never per message. A flush that fails
/// keeps its counts for the next one.
public final class HistoryRecorder: Sendable {
    private struct Bucket: Hashable {
        let resolution: HistoryResolution
        let start: Int64
    }

    private let redis: RedisClient
    private let keys: QueueKeys
    private let pending = Mutex<[Bucket: [String: Int64]]>([:])
    private let warnings: RepeatedWarnings

    /// History lives under the hash tag of the queue's first shard (the plain `REDIS_QUEUE`).
    public init(queue: QueueShards, logger: Logger) {
        self.redis = queue.redis
        self.keys = queue.shards[0].keys
        self.warnings = RepeatedWarnings(logger: logger)
    }

    /// Adds `amount` to `field` in the buckets holding `atSeconds` (Unix seconds).
    public func add(_ field: String, _ amount: Int, atSeconds: Int64 = Int64(UnixTime.milliseconds() / 1000)) {
        guard amount > 0 else { return }
        pending.withLock { pending in
            for resolution in HistoryResolution.allCases {
                pending[Bucket(resolution: resolution, start: resolution.bucket(containing: atSeconds)), default: [:]][field, default: 0] += Int64(amount)
            }
        }
    }

    private func keep(_ taken: [Bucket: [String: Int64]], because error: String) {
        pending.withLock { pending in
            for (bucket, counts) in taken {
                pending[bucket, default: [:]].merge(counts, uniquingKeysWith: +)
            }
        }
        warnings.warning("writing history counters failed; keeping them for the next try", metadata: ["error": "\(error)"])
    }

    /// Writes what has gathered; on failure it stays gathered (and one warning says so now and then).
    public func flush(deadline: Deadline) async {
        let taken = pending.withLock { pending in
            defer { pending.removeAll() }
            return pending
        }
        guard !taken.isEmpty else { return }
        var commands: [[String]] = []
        for (bucket, counts) in taken {
            let key = keys.history(bucket.resolution, startingAt: bucket.start)
            commands += counts.sorted { $0.key < $1.key }.map { ["HINCRBY", key, $0.key, String($0.value)] }
            commands.append(["EXPIREAT", key, String(bucket.start + bucket.resolution.retentionSeconds)])
        }
        let replies: [RedisValue]
        do {
            replies = try await redis.pipeline(commands, routingKey: keys.queue, deadline: deadline)
        } catch {
            keep(taken, because: "\(error)")
            return
        }
        // A server that cannot serve now (a replica after a failover, still loading) refused every
        // command of the pipeline: nothing was counted, so the counts can wait for the next try.
        if replies.allSatisfy(\.isUnavailableRefusal) {
            keep(taken, because: "\(replies[0])")
            return
        }
        // The server ran the pipeline: trying again would count twice what it did apply.
        if let refusal = replies.first(where: { (try? $0.check()) == nil }) {
            warnings.warning("Redis refused a history counter; those counts are dropped", metadata: ["reply": "\(refusal)"])
        }
    }
}
