import Logging
import Metrics
import ServiceLifecycle
import Shared

/// Keeps this consumer's heartbeat fresh and hands the in-flight messages of silent consumers back
/// to the queue. Every consumer reaps; the reclaim script is atomic, so reapers cannot collide.
struct Liveness: Service {
    let configuration: ConsumerConfiguration
    let queue: QueueShards
    let logger: Logger
    private let requeued = Counter(label: MetricName.reclaimed, dimensions: [("outcome", "requeued")])
    private let deadLettered = Counter(label: MetricName.deadLettered, dimensions: [("reason", "max_deliveries")])

    func run() async throws {
        var sinceReap: Duration = .zero
        while !Task.isShuttingDownGracefully {
            let reapNow = sinceReap >= configuration.reclaimAfter / 2
            if reapNow { sinceReap = .zero }
            // Shard by shard: a shard whose primary is failing over must not silence this consumer on the others.
            for shard in queue.shards {
                do {
                    try await shard.heartbeat(consumer: configuration.consumerID, deadline: .after(.seconds(2)))
                    if reapNow { try await reap(shard, deadline: .after(.seconds(5))) }
                } catch {
                    logger.warning("heartbeat or reclaim failed", metadata: ["queue": "\(shard.keys.queue)", "error": "\(error)"])
                }
            }
            try? await cancelWhenGracefulShutdown { [interval = configuration.heartbeatInterval] in try await Task.sleep(for: interval) }
            sinceReap += configuration.heartbeatInterval
        }
    }

    private func reap(_ shard: WorkQueue, deadline: Deadline) async throws {
        let result = try await shard.reclaimFromSilentConsumers(
            silence: configuration.reclaimAfter, maxDeliveries: configuration.maxDeliveries, deadline: deadline)
        guard !result.consumers.isEmpty else { return }
        requeued.increment(by: result.requeued)
        deadLettered.increment(by: result.deadLettered)
        logger.notice("reclaimed messages of silent consumers", metadata: [
            "consumers": "\(result.consumers.joined(separator: ","))", "requeued": "\(result.requeued)",
            "dead_lettered": "\(result.deadLettered)", "queue": "\(shard.keys.queue)",
        ])
    }
}
