import Synchronization
import Redis
import Resilience

/// The queue as its shards (`REDIS_QUEUE_SHARDS`): the Producer spreads pushes over them in turn,
/// the figures add up over all of them. With one shard it is exactly the plain queue.
public final class QueueShards: Sendable {
    public let shards: [WorkQueue]
    private let nextPush = Atomic<Int>(0)

    public init(redis: RedisClient, settings: QueueSettings) {
        shards = QueueKeys.shards(of: settings.name, count: settings.shards).map {
            WorkQueue(redis: redis, keys: $0, waitReplicas: settings.waitReplicas)
        }
    }

    public var redis: RedisClient { shards[0].redis }

    /// Pushes to the next shard in turn; returns which one and its length afterwards.
    public func push(_ messages: [String], deadline: Deadline) async throws -> (shard: Int, length: Int64) {
        let shard = nextPush.wrappingAdd(1, ordering: .relaxed).oldValue % shards.count
        return (shard, try await shards[shard].push(messages, deadline: deadline))
    }

    /// The length of every shard's list, read concurrently.
    public func lengths(deadline: Deadline) async throws -> [Int64] {
        try await concurrently { try await $0.length(deadline: deadline) }
    }

    /// The figures of all shards as one queue.
    public func depths(deadline: Deadline) async throws -> QueueDepths {
        let all = try await concurrently { try await $0.depths(deadline: deadline) }
        return QueueDepths(
            queued: all.reduce(0) { $0 + $1.queued },
            deadLettered: all.reduce(0) { $0 + $1.deadLettered },
            processing: all.reduce(0) { $0 + $1.processing },
            // Every consumer registers with every shard.
            consumers: all.map(\.consumers).max() ?? 0,
            oldestEnqueuedAtMilliseconds: all.compactMap(\.oldestEnqueuedAtMilliseconds).min(),
            // Likewise every consumer reports a stuck batch to every shard.
            stuckSinceMilliseconds: all.map(\.stuckSinceMilliseconds).max { $0.count < $1.count } ?? [],
            // Pausing sets the flag on every shard; one still paused counts.
            pausedSinceMilliseconds: all.compactMap(\.pausedSinceMilliseconds).min())
    }

    func concurrently<Value: Sendable>(_ body: @escaping @Sendable (WorkQueue) async throws -> Value) async throws -> [Value] {
        guard shards.count > 1 else { return [try await body(shards[0])] }
        return try await withThrowingTaskGroup(of: (Int, Value).self) { group in
            for (index, shard) in shards.enumerated() {
                group.addTask { (index, try await body(shard)) }
            }
            var values = [Value?](repeating: nil, count: shards.count)
            for try await (index, value) in group { values[index] = value }
            return values.map { $0! }
        }
    }
}
