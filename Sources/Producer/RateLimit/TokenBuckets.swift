/// One token bucket per client key, in bounded memory. Pure logic: time comes in as seconds on a
/// monotonic clock, so tests drive it without waiting.
///
/// The buckets are kept in the order they were last used (a linked list over `slots`), so making
/// room never scans the table: the least recently used bucket is the one idle longest, and it is
/// dropped once it has refilled. Every bucket is added once and dropped at most once, so a `take`
/// costs O(1) amortised however full the table is, under the caller's lock.
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

    /// A client's bucket and its neighbours in the order of use (indices into `slots`, nil at the ends).
    private struct Slot {
        var key: String
        var bucket: Bucket
        var older: Int?
        var newer: Int?
    }

    let perSecond: Double
    let burst: Double
    /// Most clients tracked one by one; beyond it, new clients share one bucket (see `take`).
    let capacity: Int
    private var slots: [Slot] = []
    private var slotOfKey: [String: Int] = [:]
    /// Slots of dropped buckets, for the next new client.
    private var unusedSlots: [Int] = []
    private var leastRecent: Int?
    private var mostRecent: Int?
    /// The bucket shared by every client that arrives while the table is full of active clients.
    private var overflow: Bucket

    init(settings: RateLimitSettings, capacity: Int = 65_536, now: Double = 0) {
        perSecond = Double(settings.perSecond)
        burst = Double(settings.burst)
        self.capacity = capacity
        overflow = Bucket(tokens: burst, updatedAt: now)
    }

    var trackedClients: Int { slotOfKey.count }

    /// Spends one of `key`'s tokens if it has one.
    mutating func take(_ key: String, now: Double) -> Decision {
        if let index = slotOfKey[key] {
            var bucket = slots[index].bucket
            let decision = take(from: &bucket, now: now)
            slots[index].bucket = bucket
            unlink(index)
            linkAsMostRecent(index)
            return decision
        }
        if slotOfKey.count >= capacity { dropRefilledLeastRecent(now: now) }
        guard slotOfKey.count < capacity else {
            // Many addresses at once (a spray of IPv6 addresses, say): they share a bucket rather
            // than grow the table or push out the clients already tracked.
            return take(from: &overflow, now: now)
        }
        var bucket = Bucket(tokens: burst, updatedAt: now)
        let decision = take(from: &bucket, now: now)
        let slot = Slot(key: key, bucket: bucket)
        let index: Int
        if let reused = unusedSlots.popLast() {
            slots[reused] = slot
            index = reused
        } else {
            slots.append(slot)
            index = slots.count - 1
        }
        slotOfKey[key] = index
        linkAsMostRecent(index)
        return decision
    }

    /// Drops buckets from the least recently used end while they have refilled completely: a new
    /// bucket for that client would be the same. Stops at the first one still refilling: a bucket
    /// used later may have refilled sooner (it had tokens left) and waits its turn; but any bucket
    /// unused for burst / rate seconds has refilled, so none outstays that by more than the wait.
    private mutating func dropRefilledLeastRecent(now: Double) {
        while let index = leastRecent, refilled(slots[index].bucket, now: now) >= burst {
            unlink(index)
            slotOfKey[slots[index].key] = nil
            slots[index].key = ""
            unusedSlots.append(index)
        }
    }

    private mutating func unlink(_ index: Int) {
        let (older, newer) = (slots[index].older, slots[index].newer)
        if let older { slots[older].newer = newer } else { leastRecent = newer }
        if let newer { slots[newer].older = older } else { mostRecent = older }
        slots[index].older = nil
        slots[index].newer = nil
    }

    private mutating func linkAsMostRecent(_ index: Int) {
        slots[index].older = mostRecent
        if let mostRecent { slots[mostRecent].newer = index } else { leastRecent = index }
        mostRecent = index
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
