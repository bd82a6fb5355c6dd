import Logging
import Metrics
import ServiceLifecycle
import Shared

/// The Consumer's work: move a batch into this consumer's processing list, insert its rows in one
/// transaction, then drop it from the processing list. A message is never held only in memory: until
/// its row is committed it stays in Redis, where a live consumer reclaims it if this one dies.
struct IngestLoop: Service {
    let configuration: ConsumerConfiguration
    let queue: WorkQueue
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
        try await retry.run(shouldRetry: { _ in !Task.isShuttingDownGracefully }, onRetry: logRetry("registering")) {
            try await queue.heartbeat(consumer: consumer, deadline: .after(.seconds(2)))
        }
        var idlePolls = 0
        while !Task.isShuttingDownGracefully {
            let entries = try await fetchBatch()
            guard !entries.isEmpty else {
                try await waitForWork(idlePolls: idlePolls)
                idlePolls += 1
                continue
            }
            idlePolls = 0
            try await process(entries)
        }
        try? await queue.deregister(consumer: consumer, deadline: .after(.seconds(2)))
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

    private func fetchBatch() async throws -> [[UInt8]] {
        try await retry.run(shouldRetry: { _ in !Task.isShuttingDownGracefully }, onRetry: logRetry("fetching")) {
            try await queue.fetchBatch(consumer: consumer, limit: configuration.batchSize, deadline: .after(.seconds(2)))
        }
    }

    /// Blocks on the server until work arrives, or, where blocking commands are unavailable, sleeps
    /// with a backoff from 5 ms to 250 ms.
    private func waitForWork(idlePolls: Int) async throws {
        if configuration.blockingFetch {
            do {
                try await queue.waitForWork(blockFor: configuration.blockFor, deadline: .after(.seconds(2)))
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
    private func process(_ entries: [[UInt8]]) async throws {
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
            try await queue.acknowledge(
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
