import Message
import Redis
import Resilience

/// Reads and moves the dead-letter records of every queue shard: the one implementation behind
/// `Consumer dead-letters ...` and the Producer's `/admin/dead-letters...`.
public struct DeadLetterStore: Sendable {
    public let queue: QueueShards
    /// Records read per LRANGE while summarising or listing.
    static let pageSize = 1000
    /// Records one script call looks at: short enough that Redis is never held for long.
    static let chunkSize = 500

    public init(queue: QueueShards) {
        self.queue = queue
    }

    /// Counts by kind and by distinct reason, the oldest and newest time, and how many were evicted.
    public func summary(deadline: Deadline) async throws -> DeadLetterSummary {
        var summary = DeadLetterSummary()
        for shard in queue.shards {
            let evicted = try await shard.redis.run(["GET", shard.keys.deadLettersEvicted], routingKey: shard.keys.queue, deadline: deadline)
            summary.evicted += evicted.string.flatMap { Int64($0) } ?? 0
            var start = 0
            while true {
                let page = try await records(of: shard, from: start, to: start + Self.pageSize - 1, deadline: deadline)
                page.forEach { summary.add($0) }
                guard page.count == Self.pageSize else { break }
                start += Self.pageSize
            }
        }
        return summary
    }

    /// The newest `limit` records (of `kind`, if given), newest first.
    public func newest(kind: DeadLetter.Kind?, limit: Int, deadline: Deadline) async throws -> [DeadLetterRecord] {
        var found: [DeadLetterRecord] = []
        for shard in queue.shards {
            var ofShard: [DeadLetterRecord] = []
            var end = -1
            while ofShard.count < limit {
                let page = try await records(of: shard, from: end - Self.pageSize + 1, to: end, deadline: deadline)
                ofShard += page.reversed().filter { kind == nil || $0.kind == kind?.rawValue }
                guard page.count == Self.pageSize else { break }
                end -= Self.pageSize
            }
            found += ofShard.prefix(limit)
        }
        return Array(found.sorted { ($0.timestampMilliseconds ?? 0) > ($1.timestampMilliseconds ?? 0) }.prefix(limit))
    }

    /// Every record with this id (usually one).
    public func records(id: String, deadline: Deadline) async throws -> [DeadLetterRecord] {
        var found: [DeadLetterRecord] = []
        for shard in queue.shards {
            var start = 0
            while true {
                let page = try await records(of: shard, from: start, to: start + Self.pageSize - 1, deadline: deadline)
                found += page.filter { $0.id == id }
                guard page.count == Self.pageSize else { break }
                start += Self.pageSize
            }
        }
        return found
    }

    public enum Action: String, Sendable {
        /// Change nothing; only count (a dry run).
        case count
        /// Push each record's raw entry back onto its queue and remove the record, atomically.
        case replay
        case purge
    }

    /// Acts on the records `selector` picks, oldest first, in chunks of one script call each: at most
    /// `limit` of them, and with `rate`, at most that many per second. Every chunk is atomic; a
    /// failure between chunks leaves each record either replayed or still in the list.
    public func take(
        _ action: Action, _ selector: DeadLetterSelector, limit: Int? = nil, rate: Int? = nil,
        chunkDeadline: @Sendable () -> Deadline = { .after(.seconds(5)) }
    ) async throws -> DeadLetterTakeResult {
        var result = DeadLetterTakeResult()
        let started = ContinuousClock.now
        let perChunk = min(rate ?? Self.chunkSize, Self.chunkSize)
        for shard in queue.shards {
            var start = 0
            var evictedSeen: Int64 = try await shard.redis.run(
                ["GET", shard.keys.deadLettersEvicted], routingKey: shard.keys.queue, deadline: chunkDeadline()
            ).string.flatMap { Int64($0) } ?? 0
            while limit.map({ result.taken < $0 }) ?? true {
                let most = min(perChunk, (limit ?? Int.max) - result.taken)
                let reply = try await shard.redis.evaluate(
                    QueueScripts.takeDeadLetters, keys: [shard.keys.deadLetters, shard.keys.queue, shard.keys.deadLettersEvicted],
                    arguments: [action.rawValue] + selector.scriptArguments + [String(start), String(evictedSeen), String(Self.chunkSize), String(most)],
                    routingKey: shard.keys.queue, deadline: chunkDeadline())
                let values = reply.array ?? []
                guard values.count >= 4, let taken = values[0].integer, let looked = values[1].integer,
                    let next = values[2].integer, let evicted = values[3].integer
                else { throw RedisError(kind: .command, message: "the dead-letter script returned \(reply)") }
                result.taken += Int(taken)
                result.ids += values.dropFirst(4).compactMap(\.string)
                (start, evictedSeen) = (Int(next), evicted)
                let reachedTheEnd = Int(taken) < most && Int(looked) < Self.chunkSize
                if looked == 0 || reachedTheEnd { break }
                if let rate, action != .count { try await Task.sleep(until: started + .seconds(Double(result.taken) / Double(rate))) }
            }
        }
        return result
    }

    private func records(of shard: WorkQueue, from start: Int, to end: Int, deadline: Deadline) async throws -> [DeadLetterRecord] {
        let reply = try await shard.redis.run(
            ["LRANGE", shard.keys.deadLetters, String(start), String(end)], routingKey: shard.keys.queue, deadline: deadline)
        return (reply.array ?? []).compactMap { value in
            guard case .bulk(let bytes) = value else { return nil }
            return DeadLetterRecord(stored: bytes)
        }
    }
}

/// What a replay, purge or dry run picked: how many, and their ids, oldest first.
public struct DeadLetterTakeResult: Sendable, Equatable {
    public var taken = 0
    public var ids: [String] = []
}

/// The triage view of the dead-letter list.
public struct DeadLetterSummary: Sendable, Equatable {
    public struct Reason: Sendable, Equatable {
        public var kind: String
        public var reason: String
        public var count: Int
    }

    public var total = 0
    public var byKind: [String: Int] = [:]
    /// Distinct reason texts, most frequent first once `reasons` is read.
    private var reasonCounts: [String: [String: Int]] = [:]
    public var oldestMilliseconds: UInt64?
    public var newestMilliseconds: UInt64?
    public var evicted: Int64 = 0

    public init() {}

    mutating func add(_ record: DeadLetterRecord) {
        total += 1
        byKind[record.kind, default: 0] += 1
        reasonCounts[record.kind, default: [:]][record.reason, default: 0] += 1
        if let ts = record.timestampMilliseconds {
            oldestMilliseconds = min(oldestMilliseconds ?? ts, ts)
            newestMilliseconds = max(newestMilliseconds ?? ts, ts)
        }
    }

    public var reasons: [Reason] {
        reasonCounts.flatMap { kind, reasons in reasons.map { Reason(kind: kind, reason: $0.key, count: $0.value) } }
            .sorted { ($0.count, $1.kind, $1.reason) > ($1.count, $0.kind, $0.reason) }
    }

    public var json: String {
        JSONText.object([
            "total": String(total),
            "by_kind": JSONText.object(byKind.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) }),
            "by_reason": "[" + reasons.map {
                JSONText.object(["kind": JSONText.quoted($0.kind), "reason": JSONText.quoted($0.reason), "count": String($0.count)])
            }.joined(separator: ",") + "]",
            "oldest_ts": JSONText.integer(oldestMilliseconds.map { Int64($0) }),
            "newest_ts": JSONText.integer(newestMilliseconds.map { Int64($0) }),
            "evicted": String(evicted),
        ])
    }
}

extension DeadLetterTakeResult {
    /// `{"action", "selector", "count", "ids"}`, for `--json` and the admin routes alike.
    public func json(action: String, selector: DeadLetterSelector) -> String {
        JSONText.object([
            "action": JSONText.quoted(action), "selector": JSONText.quoted(selector.description), "count": String(taken),
            "ids": "[" + ids.map(JSONText.quoted).joined(separator: ",") + "]",
        ])
    }
}
