import Message
import Redis
import Resilience

/// The queue's operations on Redis, shared by the Producer (push) and the Consumer (reliable fetch).
public struct WorkQueue: Sendable {
    public let keys: QueueKeys
    public let redis: RedisClient
    /// Replicas that must confirm a push (`REDIS_WAIT_REPLICAS`).
    public let waitReplicas: Int

    public init(redis: RedisClient, keys: QueueKeys, waitReplicas: Int = 0) {
        self.redis = redis
        self.keys = keys
        self.waitReplicas = waitReplicas
    }


    // MARK: Producer

    /// Appends encoded messages in one RPUSH; returns the queue's length afterwards. With
    /// `REDIS_WAIT_REPLICAS` > 0, the same round trip asks for that many replicas' copies (WAIT)
    /// within the deadline, and fewer confirmations throw: the values are on the primary but could
    /// be lost with it (pushing them again elsewhere cannot duplicate a row: the message id stays the same).
    @discardableResult
    public func push(_ messages: [String], deadline: Deadline) async throws -> Int64 {
        let replicas = waitReplicas
        guard replicas > 0 else {
            return try await redis.run(["RPUSH", keys.queue] + messages, routingKey: keys.queue, deadline: deadline).integer ?? 0
        }
        // WAIT's own timeout ends well before the deadline: its answer still arrives in time, and
        // a shortfall leaves time to try another shard.
        let waitMs = max(1, Int64((deadline.remaining.seconds * 1000 / 3).rounded(.down)))
        let replies = try await redis.pipeline(
            [["RPUSH", keys.queue] + messages, ["WAIT", String(replicas), String(waitMs)]], routingKey: keys.queue, deadline: deadline)
        let length = try replies[0].check().integer ?? 0
        let confirmed = try replies[1].check().integer ?? 0
        guard confirmed >= replicas else {
            throw RedisError(
                kind: .replication,
                message: "NOREPLICAS only \(confirmed) of \(replicas) replicas (REDIS_WAIT_REPLICAS) confirmed the push within \(waitMs) ms")
        }
        return length
    }

    public func length(deadline: Deadline) async throws -> Int64 {
        try await redis.run(["LLEN", keys.queue], routingKey: keys.queue, deadline: deadline).integer ?? 0
    }

    // MARK: Consumer

    /// Blocks on the server until the queue has an entry or `blockFor` passes, taking nothing:
    /// BLMOVE from the queue's head back to its head is a no-op that wakes when work arrives.
    public func waitForWork(blockFor: Duration, deadline: Deadline) async throws {
        let seconds = format3(blockFor.seconds)
        try await redis.runBlocking(
            ["BLMOVE", keys.queue, keys.queue, "LEFT", "LEFT", seconds], routingKey: keys.queue, blockFor: blockFor, deadline: deadline)
    }

    /// What a fetch brought: entries, oldest first, or the news that the queue is paused.
    public enum Fetched: Equatable, Sendable {
        case entries([[UInt8]])
        case paused
    }

    /// Moves up to `limit` entries into the consumer's processing list and returns them, oldest first.
    /// `held`: how many entries at the head of that list are the batch the consumer has in hand.
    /// While the queue is paused it takes nothing new (an unfinished batch still comes back).
    public func fetchBatch(consumer: String, limit: Int, skipping held: Int = 0, deadline: Deadline) async throws -> Fetched {
        let reply = try await redis.evaluate(
            QueueScripts.fetchBatch, keys: [keys.queue, keys.processing(consumer: consumer), keys.legacySequence, keys.paused],
            arguments: [String(limit), String(held)], routingKey: keys.queue, deadline: deadline)
        if case .status("PAUSED") = reply { return .paused }
        return .entries(try (reply.array ?? []).map { entry in
            guard case .bulk(let bytes) = entry else {
                throw RedisError(kind: .command, message: "fetch script returned a non-string entry")
            }
            return bytes
        })
    }

    /// Drops a committed batch from the head of the processing list and stores its dead letters,
    /// keeping at most `deadLetterLimit` (`DEAD_LETTER_MAX`) records. Safe to retry: a second call
    /// for the same batch changes nothing.
    @discardableResult
    public func acknowledge(
        consumer: String, batch: [[UInt8]], deadLetters: [DeadLetter], deadLetterLimit: Int, deadline: Deadline
    ) async throws -> DeadLetterEviction {
        guard let first = batch.first else { return DeadLetterEviction() }
        let records = deadLetters.flatMap { [Array($0.kind.rawValue.utf8), Array($0.reason.utf8), $0.raw] }
        let reply = try await redis.evaluate(
            QueueScripts.acknowledge, keys: [keys.processing(consumer: consumer), keys.deadLetters, keys.deliveryAttempts, keys.deadLettersEvicted],
            arguments: [Array(String(batch.count).utf8), first, Array(consumer.utf8), Array(String(deadLetterLimit).utf8)] + records,
            routingKey: keys.queue, deadline: deadline)
        let counts = reply.array?.compactMap(\.integer) ?? []
        guard counts.count == 3 else { return DeadLetterEviction() }
        return DeadLetterEviction(evicted: Int(counts[1]), total: counts[2])
    }

    /// Marks the consumer alive, and its batch stuck since `stuckSince` (Unix ms) or not stuck (nil).
    public func heartbeat(consumer: String, stuckSince: UInt64? = nil, deadline: Deadline) async throws {
        try await redis.evaluate(
            QueueScripts.heartbeat, keys: [keys.consumers, keys.stuckBatches], arguments: [consumer, stuckSince.map(String.init) ?? ""],
            routingKey: keys.queue, deadline: deadline)
    }

    /// Leaves the consumer set on exit. A batch left uncommitted (the database was down through the
    /// shutdown grace period) stays in the processing list, and the next reaper returns it to the queue.
    public func deregister(consumer: String, deadline: Deadline) async throws {
        for reply in try await redis.pipeline(
            [["ZREM", keys.consumers, consumer], ["HDEL", keys.stuckBatches, consumer]], routingKey: keys.queue, deadline: deadline) {
            _ = try reply.check()
        }
    }

    /// Gives the in-flight entries of consumers silent for longer than `silence` back to the queue.
    /// Processing lists whose owner is missing from the consumer set (say, after that set was lost)
    /// are found by a SCAN and reclaimed too.
    public func reclaimFromSilentConsumers(
        silence: Duration, maxDeliveries: Int, deadLetterLimit: Int, deadline: Deadline
    ) async throws -> ReclaimResult {
        let silenceMs = String(Int64(silence.seconds * 1000))
        let stale = try await redis.evaluate(
            QueueScripts.staleConsumers, keys: [keys.consumers], arguments: [silenceMs], routingKey: keys.queue, deadline: deadline)
        var candidates = Set((stale.array ?? []).compactMap(\.string))
        let live = Set(try await redis.run(["ZRANGE", keys.consumers, "0", "-1"], routingKey: keys.queue, deadline: deadline).array?.compactMap(\.string) ?? [])
        for key in try await processingLists(deadline: deadline) {
            let owner = String(key.dropFirst(keys.processingPrefix.count))
            if !live.contains(owner) { candidates.insert(owner) }
        }
        var result = ReclaimResult()
        for consumer in candidates.sorted() {
            let reply = try await redis.evaluate(
                QueueScripts.reclaim,
                keys: [keys.consumers, keys.processing(consumer: consumer), keys.queue, keys.deliveryAttempts, keys.deadLetters,
                       keys.stuckBatches, keys.deadLettersEvicted],
                arguments: [consumer, silenceMs, String(maxDeliveries), String(deadLetterLimit)],
                routingKey: keys.queue, deadline: deadline)
            guard let counts = reply.array?.compactMap(\.integer), counts.count == 4, counts[0] >= 0 else { continue }
            result.consumers.append(consumer)
            result.requeued += Int(counts[0])
            result.deadLettered += Int(counts[1])
            result.eviction.evicted += Int(counts[2])
            result.eviction.total = counts[3]
        }
        return result
    }

    private func processingLists(deadline: Deadline) async throws -> [String] {
        var cursor = "0"
        var found: [String] = []
        repeat {
            let reply = try await redis.run(
                ["SCAN", cursor, "MATCH", keys.processingPrefix.globEscaped + "*", "COUNT", "1000"], routingKey: keys.queue, deadline: deadline)
            guard let parts = reply.array, parts.count == 2, let next = parts[0].string else { break }
            cursor = next
            found += parts[1].array?.compactMap(\.string) ?? []
        } while cursor != "0"
        return found
    }

    /// Lengths of the queue's lists, the age of its oldest entry and the consumers whose batch is stuck.
    public func depths(deadline: Deadline) async throws -> QueueDepths {
        let replies = try await redis.pipeline(
            [["LLEN", keys.queue], ["LLEN", keys.deadLetters], ["ZRANGE", keys.consumers, "0", "-1"], ["LINDEX", keys.queue, "0"],
             ["HVALS", keys.stuckBatches], ["GET", keys.paused]],
            routingKey: keys.queue, deadline: deadline)
        let consumers = try replies[2].check().array?.compactMap(\.string) ?? []
        let processing = consumers.isEmpty ? [] : try await redis.pipeline(
            consumers.map { ["LLEN", keys.processing(consumer: $0)] }, routingKey: keys.queue, deadline: deadline)
        let oldest = try replies[3].check()
        let oldestTimestamp: UInt64? =
            if case .bulk(let bytes) = oldest { try? QueueMessage.decode(bytes).enqueuedAtMilliseconds } else { nil }
        return QueueDepths(
            queued: try replies[0].check().integer ?? 0,
            deadLettered: try replies[1].check().integer ?? 0,
            processing: try processing.reduce(0) { $0 + (try $1.check().integer ?? 0) },
            consumers: consumers.count,
            oldestEnqueuedAtMilliseconds: oldestTimestamp,
            stuckSinceMilliseconds: try replies[4].check().array?.compactMap { $0.string.flatMap(UInt64.init) } ?? [],
            pausedSinceMilliseconds: try replies[5].check().string.map(QueuePause.since(flag:)))
    }
}

public struct ReclaimResult: Sendable, Equatable {
    public var consumers: [String] = []
    public var requeued = 0
    public var deadLettered = 0
    public var eviction = DeadLetterEviction()
}

/// Dead letters that `DEAD_LETTER_MAX` pushed out of the list: in one call, and ever (the Redis counter).
public struct DeadLetterEviction: Sendable, Equatable {
    public var evicted = 0
    public var total: Int64 = 0

    public init(evicted: Int = 0, total: Int64 = 0) {
        self.evicted = evicted
        self.total = total
    }
}

public struct QueueDepths: Sendable, Equatable {
    public var queued: Int64
    public var deadLettered: Int64
    public var processing: Int64
    public var consumers: Int
    /// Enqueue time of the entry at the head of the queue (nil when empty or a bare integer).
    public var oldestEnqueuedAtMilliseconds: UInt64?
    /// For each consumer whose batch is stuck, since when (Unix ms).
    public var stuckSinceMilliseconds: [UInt64]
    /// Since when the queue is paused (Unix ms); nil while it runs.
    public var pausedSinceMilliseconds: UInt64?

    public init(
        queued: Int64, deadLettered: Int64, processing: Int64, consumers: Int, oldestEnqueuedAtMilliseconds: UInt64?,
        stuckSinceMilliseconds: [UInt64] = [], pausedSinceMilliseconds: UInt64? = nil
    ) {
        self.queued = queued
        self.deadLettered = deadLettered
        self.processing = processing
        self.consumers = consumers
        self.oldestEnqueuedAtMilliseconds = oldestEnqueuedAtMilliseconds
        self.stuckSinceMilliseconds = stuckSinceMilliseconds
        self.pausedSinceMilliseconds = pausedSinceMilliseconds
    }
}

/// Seconds with millisecond precision, as Redis' blocking commands take them.
private func format3(_ seconds: Double) -> String {
    let milliseconds = Int64((seconds * 1000).rounded())
    let fraction = String(milliseconds % 1000)
    return "\(milliseconds / 1000).\(String(repeating: "0", count: 3 - fraction.count))\(fraction)"
}

extension String {
    /// The string with Redis glob metacharacters escaped, for SCAN MATCH.
    var globEscaped: String {
        var result = ""
        for character in self {
            if "*?[]\\".contains(character) { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
