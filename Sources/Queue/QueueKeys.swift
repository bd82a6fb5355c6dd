import Redis

/// The Redis keys of one queue. The queue itself is the plain name older producers push to; every
/// other key carries that name as a hash tag, so all of them live in one cluster slot and multi-key
/// commands and scripts work on Redis Cluster and ElastiCache Serverless.
public struct QueueKeys: Sendable, Equatable {
    public let queue: String

    public init(queue: String) {
        self.queue = queue
    }

    public static let maxShards = 64

    /// The keys of each of `count` shards of the queue `queue`. Shard 0 is the queue itself, which
    /// older producers push to. Every other shard gets a name whose slot falls in a part of the slot
    /// space of its own (the slot space cut in `count` equal parts): on a cluster whose primaries own
    /// equal slot ranges, as `redis-cli --cluster create` and ElastiCache lay them out, `count` equal
    /// to the number of primaries puts one shard on each. Producers and Consumers derive the same
    /// names from the same two settings.
    public static func shards(of queue: String, count: Int) -> [QueueKeys] {
        let first = QueueKeys(queue: queue)
        guard count > 1 else { return [first] }
        let part = { (slot: Int) in slot * count / HashSlot.count }
        let taken = part(HashSlot.of(queue))
        let freeParts = (0..<count).filter { $0 != taken }
        return [first] + freeParts.enumerated().map { index, target in
            // Each part holds at least 256 slots, so a matching suffix turns up within a few hundred tries.
            let name = (0...).lazy.map { "\(queue):shard\(index + 1)-\($0)" }.first { part(HashSlot.of($0)) == target }!
            return QueueKeys(queue: name)
        }
    }

    private var tag: String { "{\(queue)}" }

    /// Live consumers: a sorted set of consumer id -> last heartbeat (server time, ms).
    public var consumers: String { "\(tag):consumers" }
    /// Consumers whose batch has failed for longer than their threshold: consumer id -> since (Unix ms).
    public var stuckBatches: String { "\(tag):stuck" }
    /// Messages that can never become rows, each wrapped with the reason.
    public var deadLetters: String { "\(tag):dead" }
    /// Counter behind the stable ids given to bare-integer messages.
    public var legacySequence: String { "\(tag):legacy-seq" }
    /// How often each message was reclaimed from a dead consumer (raw entry -> count).
    public var deliveryAttempts: String { "\(tag):attempts" }

    /// How many dead letters `DEAD_LETTER_MAX` has evicted so far (the oldest go first).
    public var deadLettersEvicted: String { "\(tag):dead-evicted" }
    /// Present while the queue is paused: who paused it and when (`QueueControl`).
    public var paused: String { "\(tag):paused" }
    /// A hash of counters for one minute or one day (`History`), keyed by its start in Unix seconds.
    public func history(_ resolution: HistoryResolution, startingAt seconds: Int64) -> String {
        "\(tag):history:\(resolution.rawValue):\(seconds)"
    }

    public var processingPrefix: String { "\(tag):processing:" }

    /// The list a consumer holds its in-flight batch in until the batch's rows are committed.
    public func processing(consumer: String) -> String { processingPrefix + consumer }
}
