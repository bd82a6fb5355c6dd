import Settings

/// Which queue the programs use on Redis and how it is laid out (`REDIS_QUEUE`, `REDIS_QUEUE_SHARDS`,
/// `REDIS_WAIT_REPLICAS`): the queue's side of the settings; how to reach Redis is `RedisSettings`.
public struct QueueSettings: Sendable, Equatable {
    public var name: String
    /// Queue lists the Producer spreads values over (one per cluster primary scales past one
    /// primary); 1 is the single list older producers push to.
    public var shards: Int
    /// Replicas that must confirm a push (Redis WAIT) before the Producer answers 201; 0: the primary's word.
    public var waitReplicas: Int

    public init(name: String = "count_queue", shards: Int = 1, waitReplicas: Int = 0) {
        self.name = name
        self.shards = shards
        self.waitReplicas = waitReplicas
    }

    public init(from env: EnvironmentReader) throws(ConfigurationError) {
        self.init(
            name: try env.identifier("REDIS_QUEUE", default: "count_queue"),
            shards: try env.integer("REDIS_QUEUE_SHARDS", default: 1, in: 1...QueueKeys.maxShards),
            waitReplicas: try env.integer("REDIS_WAIT_REPLICAS", default: 0, in: 0...16)
        )
    }
}
