/// The Redis keys of one queue. The queue itself is the plain name older producers push to; every
/// other key carries that name as a hash tag, so all of them live in one cluster slot and multi-key
/// commands and scripts work on Redis Cluster and ElastiCache Serverless.
public struct QueueKeys: Sendable, Equatable {
    public let queue: String

    public init(queue: String) {
        self.queue = queue
    }

    private var tag: String { "{\(queue)}" }

    /// Live consumers: a sorted set of consumer id -> last heartbeat (server time, ms).
    public var consumers: String { "\(tag):consumers" }
    /// Messages that can never become rows, each wrapped with the reason.
    public var deadLetters: String { "\(tag):dead" }
    /// Counter behind the stable ids given to bare-integer messages.
    public var legacySequence: String { "\(tag):legacy-seq" }
    /// How often each message was reclaimed from a dead consumer (raw entry -> count).
    public var deliveryAttempts: String { "\(tag):attempts" }

    public var processingPrefix: String { "\(tag):processing:" }

    /// The list a consumer holds its in-flight batch in until the batch's rows are committed.
    public func processing(consumer: String) -> String { processingPrefix + consumer }
}
