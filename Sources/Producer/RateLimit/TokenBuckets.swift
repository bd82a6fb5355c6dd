/// One token bucket per client key, in bounded memory. Pure logic: time comes in as seconds on a
/// monotonic clock, so tests drive it without waiting.
struct TokenBuckets: Sendable {
    enum Decision: Equatable {
        case allowed
        /// Whole seconds until one token is back (at least 1), for `Retry-After`.
        case limited(retryAfterSeconds: Int)
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: Double
    }

    let perSecond: Double
    let burst: Double
    /// Most clients tracked one by one; beyond it, new clients share one bucket (see `take`).
    let capacity: Int
    private var buckets: [String: Bucket] = [:]
    /// The bucket shared by every client that arrives while the table is full of active clients.
    private var overflow: Bucket

    init(settings: RateLimitSettings, capacity: Int = 65_536, now: Double = 0) {
        perSecond = Double(settings.perSecond)
        burst = Double(settings.burst)
        self.capacity = capacity
        overflow = Bucket(tokens: burst, updatedAt: now)
    }

    var trackedClients: Int { buckets.count }

    /// Spends one of `key`'s tokens if it has one.
    mutating func take(_ key: String, now: Double) -> Decision {
        if buckets[key] == nil, buckets.count >= capacity {
            evictIdle(now: now)
        }
        guard buckets[key] != nil || buckets.count < capacity else {
            // Many addresses at once (a spray of IPv6 addresses, say): they share a bucket rather
            // than grow the table or push out the clients already tracked.
            return take(from: &overflow, now: now)
        }
        var bucket = buckets[key] ?? Bucket(tokens: burst, updatedAt: now)
        let decision = take(from: &bucket, now: now)
        buckets[key] = bucket
        return decision
    }

    /// Drops the buckets that have refilled completely: a new bucket for that client would be the same.
    mutating func evictIdle(now: Double) {
        buckets = buckets.filter { refilled($0.value, now: now) < burst }
    }

    private func refilled(_ bucket: Bucket, now: Double) -> Double {
        min(burst, bucket.tokens + max(0, now - bucket.updatedAt) * perSecond)
    }

    private func take(from bucket: inout Bucket, now: Double) -> Decision {
        bucket.tokens = refilled(bucket, now: now)
        bucket.updatedAt = max(bucket.updatedAt, now)
        guard bucket.tokens >= 1 else {
            let seconds = (1 - bucket.tokens) / perSecond
            return .limited(retryAfterSeconds: max(1, Int(seconds.rounded(.up))))
        }
        bucket.tokens -= 1
        return .allowed
    }
}
