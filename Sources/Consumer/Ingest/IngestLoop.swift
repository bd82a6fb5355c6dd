import Logging
import Metrics
import ServiceLifecycle
import Shared

/// The Consumer's work: move a batch into this consumer's processing list, insert its rows in one
/// transaction, then drop it from the processing list. A message is never held only in memory: until
/// its row is committed it stays in Redis, where a live consumer reclaims it if this one dies.
/// With several queue shards it takes batches from them in turn, so none starves.
struct IngestLoop: Service {
    let configuration: ConsumerConfiguration
    let queue: QueueShards
    let database: DatabaseClient
    let writer: RowWriter
    let logger: Logger
    var retry = RetryPolicy(initialDelay: .milliseconds(50), maxDelay: .seconds(5))

    private let insertDuration = Metrics.Timer(label: MetricName.insertDuration)
    private let batchSize = Recorder(label: MetricName.insertBatchSize, aggregate: true)
    private let inserted = Counter(label: MetricName.inserted)
    private let duplicates = Counter(label: MetricName.duplicates)
    private let deadLettered = Counter(label: MetricName.deadLettered, dimensions: [("reason", "undecodable")])

    private var consumer: String { configuration.consumerID }

    func run() async throws {
        try await prepareSchema()
        for shard in queue.shards {
            try await retry.run(shouldRetry: { _ in !Task.isShuttingDownGracefully }, onRetry: logRetry("registering")) {
                try await shard.heartbeat(consumer: consumer, deadline: .after(.seconds(2)))
            }
        }
        var next = 0
        var idlePolls = 0
        while !Task.isShuttingDownGracefully {
            guard let (shard, entries) = try await fetchBatch(startingAt: next) else {
                try await waitForWork(on: queue.shards[next], idlePolls: idlePolls)
                next = (next + 1) % queue.shards.count
                idlePolls += 1
                continue
            }
            next = (shard + 1) % queue.shards.count
            idlePolls = 0
            try await process(entries, from: queue.shards[shard])
        }
        for shard in queue.shards {
            try? await shard.deregister(consumer: consumer, deadline: .after(.seconds(2)))
        }
        logger.info("drained and stopped", metadata: ["consumer": "\(consumer)"])
    }

    /// Creates or upgrades the schema before the first insert, waiting while the database is not up yet.
    private func prepareSchema() async throws {
        let report = try await retry.run(
            shouldRetry: { ($0 as? DatabaseError)?.isTransient ?? ($0 is DeadlineExceededError) },
            onRetry: logRetry("preparing the schema")
        ) {
            try await database.withConnection(deadline: .after(.seconds(120))) { try SchemaMigrator.migrate($0) }
        }
        logger.info("schema ready", metadata: ["changes": "\(report.changes.isEmpty ? "none" : report.changes.joined(separator: "; "))"])
    }

    /// A batch from the first shard, from `first` on, that has one; nil when all are empty. A shard
    /// that fails (its primary failing over) is passed over; only when all fail does it back off and retry.
    private func fetchBatch(startingAt first: Int) async throws -> (shard: Int, entries: [[UInt8]])? {
        try await retry.run(shouldRetry: { _ in !Task.isShuttingDownGracefully }, onRetry: logRetry("fetching")) {
            var failure: (any Error)?
            var answered = false
            for offset in queue.shards.indices {
                let shard = (first + offset) % queue.shards.count
                do {
                    let entries = try await queue.shards[shard].fetchBatch(
                        consumer: consumer, limit: configuration.batchSize, deadline: .after(.seconds(2)))
                    answered = true
                    if !entries.isEmpty { return (shard, entries) }
                } catch {
                    failure = error
                    if queue.shards.count > 1 {
                        logger.warning("fetching from a queue shard failed; trying the next", metadata: [
                            "queue": "\(queue.shards[shard].keys.queue)", "error": "\(error)",
                        ])
                    }
                }
            }
            if let failure, !answered { throw failure }
            return nil
        }
    }

    /// Blocks on the server until work arrives, or, where blocking commands are unavailable, sleeps
    /// with a backoff from 5 ms to 250 ms. With several shards it waits on one at a time, for a
    /// share of `blockFor`, so work arriving on any of them is seen within about `blockFor`.
    private func waitForWork(on shard: WorkQueue, idlePolls: Int) async throws {
        if configuration.blockingFetch {
            do {
                let share = max(configuration.blockFor / queue.shards.count, .milliseconds(50))
                try await shard.waitForWork(blockFor: share, deadline: .after(.seconds(2)))
            } catch {
                logger.warning("waiting for work failed", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(200))
            }
        } else {
            let delay = RetryPolicy(initialDelay: .milliseconds(5), maxDelay: .milliseconds(250), jitter: 0)
                .baseDelay(attempt: idlePolls)
            try await Task.sleep(for: delay)
        }
    }

    /// Inserts the batch's rows and acknowledges it. While shutting down, gives up after the grace
    /// period and leaves the batch in the processing list, where another consumer reclaims it.
    private func process(_ entries: [[UInt8]], from shard: WorkQueue) async throws {
        let batch = DecodedBatch(entries: entries, consumer: consumer)
        let started = ContinuousClock.now
        var giveUpAt: ContinuousClock.Instant?
        let outcome = try await retry.run(
            shouldRetry: { _ in
                if Task.isShuttingDownGracefully, giveUpAt == nil { giveUpAt = .now + configuration.shutdownGrace }
                return giveUpAt.map { ContinuousClock.now < $0 } ?? true
            },
            onRetry: logRetry("inserting")
        ) {
            try await database.withConnection(deadline: .after(configuration.databaseTimeout)) { [writer, messages = batch.messages] connection in
                do {
                    return try writer.write(messages, on: connection)
                } catch let error as DatabaseError where error.meansSchemaIsMissing {
                    // Someone dropped or replaced the table while we ran: rebuild it, then retry the batch.
                    _ = try SchemaMigrator.migrate(connection)
                    throw error
                }
            }
        }
        try await retry.run(shouldRetry: { _ in true }, onRetry: logRetry("acknowledging")) {
            try await shard.acknowledge(
                consumer: consumer, batch: entries, deadLetters: batch.deadLetters, deadline: .after(.seconds(2)))
        }
        insertDuration.recordNanoseconds(Int64((ContinuousClock.now - started).seconds * 1e9))
        batchSize.record(entries.count)
        inserted.increment(by: outcome.inserted)
        duplicates.increment(by: outcome.duplicates)
        deadLettered.increment(by: batch.deadLetters.count)
        if !batch.deadLetters.isEmpty {
            logger.warning("dead-lettered unusable messages", metadata: ["count": "\(batch.deadLetters.count)"])
        }
        logger.debug("batch committed", metadata: [
            "inserted": "\(outcome.inserted)", "duplicates": "\(outcome.duplicates)", "dead": "\(batch.deadLetters.count)",
        ])
    }

    private func logRetry(_ step: String) -> (any Error, Duration) -> Void {
        { error, delay in
            logger.warning("\(step) failed, retrying", metadata: ["error": "\(error)", "retry_in_ms": "\(Int(delay.seconds * 1000))"])
        }
    }
}
