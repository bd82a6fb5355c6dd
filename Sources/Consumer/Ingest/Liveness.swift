import Logging
import Metrics
import ServiceLifecycle
import Observability
import Queue
import Resilience

/// Keeps this consumer's heartbeat fresh (with whether its batch is stuck) and hands the in-flight
/// messages of silent consumers back to the queue. Every consumer reaps; the reclaim script is
/// atomic, so reapers cannot collide. It is shut down after the ingest loop, so a consumer
/// draining its batch on SIGTERM is not taken for dead meanwhile.
struct Liveness: Service {
    let configuration: ConsumerConfiguration
    let queue: QueueShards
    let stuck: StuckBatchMonitor
    let history: HistoryRecorder
    let logger: Logger
    private let warnings: RepeatedWarnings
    private let evictions: EvictionReport
    private let requeued = Counter(label: MetricName.reclaimed, dimensions: [("outcome", "requeued")])
    private let deadLettered = Counter(label: MetricName.deadLettered, dimensions: [("reason", DeadLetter.Kind.maxDeliveries.rawValue)])

    init(configuration: ConsumerConfiguration, queue: QueueShards, stuck: StuckBatchMonitor, history: HistoryRecorder, logger: Logger) {
        self.configuration = configuration
        self.queue = queue
        self.stuck = stuck
        self.history = history
        self.logger = logger
        self.warnings = RepeatedWarnings(logger: logger)
        self.evictions = EvictionReport(deadLetterMax: configuration.deadLetterMax, logger: logger)
    }

    func run() async throws {
        // Cancelled as a whole when its turn to shut down comes: nothing it does needs finishing.
        await cancelWhenGracefulShutdown { [self] in await beat() }
    }

    private func beat() async {
        var sinceReap: Duration = .zero
        while !Task.isCancelled {
            let reapNow = sinceReap >= configuration.reclaimAfter / 2
            if reapNow { sinceReap = .zero }
            stuck.refreshGauge()
            // Shard by shard: a shard whose primary is failing over must not silence this consumer on the others.
            for shard in queue.shards {
                do {
                    try await shard.heartbeat(
                        consumer: configuration.consumerID, stuckSince: stuck.stuckSinceUnixMilliseconds, deadline: .after(.seconds(2)))
                    if reapNow { try await reap(shard, deadline: .after(.seconds(5))) }
                } catch where !Task.isCancelled {
                    warnings.warning("heartbeat or reclaim failed", metadata: ["queue": "\(shard.keys.queue)", "error": "\(error)"])
                } catch {
                    return
                }
            }
            guard (try? await Task.sleep(for: configuration.heartbeatInterval)) != nil else { return }
            sinceReap += configuration.heartbeatInterval
        }
    }

    private func reap(_ shard: WorkQueue, deadline: Deadline) async throws {
        let result = try await shard.reclaimFromSilentConsumers(
            silence: configuration.reclaimAfter, maxDeliveries: configuration.maxDeliveries,
            deadLetterLimit: configuration.deadLetterMax, deadline: deadline)
        guard !result.consumers.isEmpty else { return }
        requeued.increment(by: result.requeued)
        deadLettered.increment(by: result.deadLettered)
        evictions.report(result.eviction, queue: shard.keys.queue)
        history.add(HistoryField.deadLettered, result.deadLettered)
        logger.notice("reclaimed messages of silent consumers", metadata: [
            "consumers": "\(result.consumers.joined(separator: ","))", "requeued": "\(result.requeued)",
            "dead_lettered": "\(result.deadLettered)", "queue": "\(shard.keys.queue)",
        ])
    }
}
