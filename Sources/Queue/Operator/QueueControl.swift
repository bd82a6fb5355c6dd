import Message
import Resilience

/// Pausing and resuming the Consumers: a flag under each shard's hash tag (`QueueKeys.paused`)
/// holding since when (Unix ms). The fetch script reads it, so a paused Consumer finishes the
/// batch in hand and takes no new one at its next poll; the Producer keeps accepting values
/// until the high-water mark.
public struct QueueControl: Sendable {
    public let queue: QueueShards

    public init(queue: QueueShards) {
        self.queue = queue
    }

    /// Pauses every shard; returns false when the queue was paused already (the first time stays).
    @discardableResult
    public func pause(deadline: Deadline) async throws -> Bool {
        let now = String(UnixTime.milliseconds())
        var changed = false
        for shard in queue.shards {
            let reply = try await shard.redis.run(["SET", shard.keys.paused, now, "NX"], routingKey: shard.keys.queue, deadline: deadline)
            if reply != .null { changed = true }
        }
        return changed
    }

    /// Resumes every shard; returns false when the queue was not paused.
    @discardableResult
    public func resume(deadline: Deadline) async throws -> Bool {
        var changed = false
        for shard in queue.shards {
            let removed = try await shard.redis.run(["DEL", shard.keys.paused], routingKey: shard.keys.queue, deadline: deadline)
            if removed.integer ?? 0 > 0 { changed = true }
        }
        return changed
    }
}

public enum QueuePause {
    /// Since when the flag's value says the queue is paused; a flag set by hand to anything else
    /// still pauses (the fetch script only asks whether it exists), since an unknown time (0).
    public static func since(flag: String) -> UInt64 {
        UInt64(flag) ?? 0
    }
}

extension QueueDepths {
    /// `queue status --json` and `GET /admin/queue/status`.
    public var statusJSON: String {
        JSONText.object([
            "state": pausedSinceMilliseconds == nil ? "\"running\"" : "\"paused\"",
            "paused_since_ms": JSONText.integer(pausedSinceMilliseconds.map { Int64($0) }),
            "queue_depth": String(queued), "processing_depth": String(processing), "dead_letter_depth": String(deadLettered),
            "consumers": String(consumers),
        ])
    }
}
