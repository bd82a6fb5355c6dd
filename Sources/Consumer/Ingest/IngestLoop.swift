import Logging
import Metrics
import ServiceLifecycle
import Database
import Observability
import Queue
import Resilience

/// The Consumer's work: move a batch into this consumer's processing list, insert its rows in one
/// transaction, then drop it from the processing list. A message is never held only in memory: until
/// its row is committed it stays in Redis, where a live consumer reclaims it if this one dies.
/// With several queue shards it takes batches from them in turn, so none starves.
///
/// Entries the database refuses for good are isolated and dead-lettered (`RowWriter`); anything
/// else that fails is retried with backoff, and a batch failing for longer than
/// `STUCK_BATCH_AFTER_MS` is reported stuck. On SIGTERM it takes no new batch, and gives the one
/// in hand `SHUTDOWN_GRACE_MS` (`ShutdownGrace`). While the queue is paused (`Consumer queue
/// pause`) it takes no new batch and looks again every `CONSUMER_BLOCK_MS`.
struct IngestLoop: Service {
    let configuration: ConsumerConfiguration
    let queue: QueueShards
    let database: DatabaseClient
    let writer: RowWriter
    let stuck: StuckBatchMonitor
    let history: HistoryRecorder
    let logger: Logger
    let warnings: RepeatedWarnings
    let evictions: EvictionReport
    var retry = RetryPolicy(initialDelay: .milliseconds(50), maxDelay: .seconds(5))

    private let insertDuration = Metrics.Timer(label: MetricName.insertDuration)
    private let batchSize = Recorder(label: MetricName.insertBatchSize, aggregate: true)
    private let inserted = Counter(label: MetricName.inserted)
    private let duplicates = Counter(label: MetricName.duplicates)

    init(
        configuration: ConsumerConfiguration, queue: QueueShards, database: DatabaseClient, writer: RowWriter,
        stuck: StuckBatchMonitor, history: HistoryRecorder, logger: Logger
    ) {
        self.configuration = configuration
        self.queue = queue
        self.database = database
        self.writer = writer
        self.stuck = stuck
        self.history = history
        self.logger = logger
        self.warnings = RepeatedWarnings(logger: logger)
        self.evictions = EvictionReport(deadLetterMax: configuration.deadLetterMax, logger: logger)
    }

    private var consumer: String { configuration.consumerID }

    func run() async throws {
        let drained = try await ShutdownGrace.run(grace: configuration.shutdownGrace) { [self] in try await consume() }
        await deregister()
        if drained {
            logger.info("drained and stopped", metadata: ["consumer": "\(consumer)"])
        } else {
            logger.warning(
                "SHUTDOWN_GRACE_MS ran out before the batch in hand was committed; it stays in this consumer's processing list, where another consumer reclaims it",
                metadata: ["consumer": "\(consumer)"])
        }
    }

    /// One batch at a time in its transaction, with Redis working beside it: while batch n is being
    /// written, the acknowledge of batch n−1 and the fetch of batch n+1 run, so neither server waits
    /// for the other. At most three batches are this consumer's at once (n−1 committed, n in its
    /// transaction, n+1 fetched), all of them in its processing list until acknowledged, in order.
    private func consume() async throws {
        guard try await unlessShuttingDown({ try await prepareSchema() }) != nil,
            try await unlessShuttingDown({ try await register() }) != nil
        else { return }
        var next = 0
        var idlePolls = 0
        var paused = false
        var committed: CommittedBatch?
        var inHand: FetchedBatch?
        while true {
            guard let batch = inHand else {
                if let done = committed {
                    try await acknowledge(done)
                    committed = nil
                }
                guard !Task.isShuttingDownGracefully else { return }
                let fetched: Fetch
                do {
                    fetched = try await fetchBatch(startingAt: next)
                } catch where Task.isShuttingDownGracefully {
                    return
                }
                if (fetched == .paused) != paused {
                    paused.toggle()
                    logger.notice(paused ? "the queue is paused: taking no new batch until it is resumed" : "the queue is resumed")
                }
                switch fetched {
                case .paused:
                    // BLMOVE would return at once while values wait: sleep for a poll instead.
                    guard try await unlessShuttingDown({ try await Task.sleep(for: configuration.blockFor) }) != nil else { return }
                case .empty:
                    _ = try await unlessShuttingDown { [next, idlePolls] in try await waitForWork(on: queue.shards[next], idlePolls: idlePolls) }
                    next = (next + 1) % queue.shards.count
                    idlePolls += 1
                case .batch(let batch):
                    inHand = batch
                    next = (batch.shard + 1) % queue.shards.count
                    idlePolls = 0
                }
                continue
            }
            // Not cancelled when shutdown begins: the batches in hand get the grace period.
            let (acknowledging, first) = (committed, next)
            async let redisSide = acknowledgeAndPrefetch(acknowledging, whileWriting: batch, startingAt: first)
            let written = try await write(batch)
            committed = written
            inHand = try await redisSide
            if let prefetched = inHand { next = (prefetched.shard + 1) % queue.shards.count }
        }
    }

    /// A batch as it came from one shard's queue, decoded as it arrives: a prefetched batch is
    /// decoded while the one before is in its transaction, so the Consumer's own work overlaps the
    /// database's too.
    private struct FetchedBatch: Equatable, Sendable {
        let shard: Int
        let entries: [[UInt8]]
        let decoded: DecodedBatch

        init(shard: Int, entries: [[UInt8]]) {
            self.shard = shard
            self.entries = entries
            self.decoded = DecodedBatch(entries: entries)
        }
    }

    /// A batch whose rows are committed; its acknowledge (with its dead letters) is still to come.
    private struct CommittedBatch: Sendable {
        let shard: Int
        let entries: [[UInt8]]
        let deadLetters: [DeadLetter]
    }

    /// The Redis side of one step: acknowledges the batch committed before, then (unless shutdown has
    /// begun) fetches the next batch, skipping `writing` where it sits at the head of its shard's list.
    /// A failed prefetch is only a lost head start: the next fetch after the acknowledge takes over;
    /// so is a paused queue, which the next fetch reports.
    private func acknowledgeAndPrefetch(
        _ committed: CommittedBatch?, whileWriting writing: FetchedBatch, startingAt first: Int
    ) async throws -> FetchedBatch? {
        if let committed { try await acknowledge(committed) }
        guard !Task.isShuttingDownGracefully else { return nil }
        do {
            guard case .batch(let next) = try await fetchOnce(startingAt: first, holding: writing) else { return nil }
            return next
        } catch where !Task.isCancelled {
            warnings.warning("fetching the next batch ahead failed; fetching it after this one", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// `operation`'s result, or nil once graceful shutdown has begun: with no batch in hand there is
    /// nothing to finish, so the operation is cancelled at once.
    private func unlessShuttingDown<Result: Sendable>(_ operation: @escaping @Sendable () async throws -> Result) async throws -> Result? {
        do {
            return try await cancelWhenGracefulShutdown(operation)
        } catch where Task.isShuttingDownGracefully {
            return nil
        }
    }

    /// Creates or upgrades the schema before the first insert, waiting while the database is not up
    /// yet. A refused login or an upgrade the server refuses will not go away by waiting: it is
    /// logged as critical and stops the Consumer.
    private func prepareSchema() async throws {
        do {
            let report = try await retry.run(
                // A refused login waits too when the credential is a secret: the refusal has it read again.
                shouldRetry: { [rotates = database.settings.credentials.rotates] in
                    ($0 as? DatabaseError).map { $0.isTransient && (!$0.isRefusedLogin || rotates) } ?? true
                },
                onRetry: logRetry("preparing the schema")
            ) {
                try await database.withConnection(deadline: .after(.seconds(120))) { try SchemaMigrator.migrate($0) }
            }
            logger.info("schema ready", metadata: ["changes": "\(report.changes.isEmpty ? "none" : report.changes.joined(separator: "; "))"])
        } catch let error as DatabaseError where !Task.isShuttingDownGracefully && !Task.isCancelled {
            let hint = error.isRefusedLogin ? " (check DB_USER, DB_PASSWORD or DB_SECRET, and DB_TLS)" : ""
            logger.critical("the database refused to prepare the schema: \(error)\(hint)")
            throw error
        }
    }

    private func register() async throws {
        for shard in queue.shards {
            try await retry.run(shouldRetry: { _ in true }, onRetry: logRetry("registering")) {
                try await shard.heartbeat(consumer: consumer, deadline: .after(.seconds(2)))
            }
        }
    }

    private enum Fetch: Equatable, Sendable {
        case batch(FetchedBatch)
        case empty
        case paused
    }

    /// A batch from the first shard, from `first` on, that has one; `.empty` when all are empty,
    /// `.paused` when they are paused; retried with backoff while every shard fails. A fetch under way is never cancelled, not even by
    /// SIGTERM: Redis may have moved its entries into the processing list already, and then they are
    /// in hand and get committed. Only the waits between retries end when shutdown begins.
    private func fetchBatch(startingAt first: Int) async throws -> Fetch {
        try await retry.run(
            shouldRetry: { _ in !Task.isShuttingDownGracefully }, onRetry: logRetry("fetching"),
            sleep: { delay in try await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) } }
        ) {
            try await fetchOnce(startingAt: first, holding: nil)
        }
    }

    /// One attempt of `fetchBatch`. A shard that fails (its primary failing over) is passed over; only
    /// when all fail does it throw. `holding`: the batch in hand, which heads its shard's list. A
    /// paused shard still hands back a batch left in this consumer's processing list, so every shard
    /// is asked even while paused.
    private func fetchOnce(startingAt first: Int, holding: FetchedBatch?) async throws -> Fetch {
        var failure: (any Error)?
        var answered = false
        var paused = false
        for offset in queue.shards.indices {
            let shard = (first + offset) % queue.shards.count
            do {
                let fetched = try await queue.shards[shard].fetchBatch(
                    consumer: consumer, limit: configuration.batchSize,
                    skipping: holding?.shard == shard ? holding?.entries.count ?? 0 : 0, deadline: .after(.seconds(2)))
                answered = true
                switch fetched {
                case .paused: paused = true
                case .entries(let entries) where !entries.isEmpty: return .batch(FetchedBatch(shard: shard, entries: entries))
                case .entries: continue
                }
            } catch {
                failure = error
                if queue.shards.count > 1 {
                    warnings.warning("fetching from a queue shard failed; trying the next", metadata: [
                        "queue": "\(queue.shards[shard].keys.queue)", "error": "\(error)",
                    ])
                }
            }
        }
        if let failure, !answered { throw failure }
        return paused ? .paused : .empty
    }

    /// Blocks on the server until work arrives, or, where blocking commands are unavailable, sleeps
    /// with a backoff from 5 ms to 250 ms. With several shards it waits on one at a time, for a
    /// share of `blockFor`, so work arriving on any of them is seen within about `blockFor`.
    private func waitForWork(on shard: WorkQueue, idlePolls: Int) async throws {
        if configuration.blockingFetch {
            do {
                let share = max(configuration.blockFor / queue.shards.count, .milliseconds(50))
                try await shard.waitForWork(blockFor: share, deadline: .after(.seconds(2)))
            } catch where !Task.isCancelled {
                warnings.warning("waiting for work failed", metadata: ["error": "\(error)"])
                try await Task.sleep(for: .milliseconds(200))
            }
        } else {
            let delay = RetryPolicy(initialDelay: .milliseconds(5), maxDelay: .milliseconds(250), jitter: 0)
                .baseDelay(attempt: idlePolls)
            try await Task.sleep(for: delay)
        }
    }

    /// Inserts the batch's rows, isolating what the database refuses; retries until that holds (or,
    /// after SIGTERM, until the grace period ends).
    private func write(_ fetched: FetchedBatch) async throws -> CommittedBatch {
        let batch = fetched.decoded
        let started = ContinuousClock.now
        let outcome = try await retry.run(shouldRetry: { _ in true }, onRetry: logFailure("inserting")) {
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
        stuck.succeeded()
        insertDuration.recordNanoseconds(Int64((ContinuousClock.now - started).seconds * 1e9))
        batchSize.record(fetched.entries.count)
        inserted.increment(by: outcome.inserted)
        duplicates.increment(by: outcome.duplicates + batch.duplicatesInBatch)
        history.add(HistoryField.inserted, outcome.inserted)
        history.add(HistoryField.duplicates, outcome.duplicates + batch.duplicatesInBatch)
        logger.debug("batch committed", metadata: [
            "inserted": "\(outcome.inserted)", "duplicates": "\(outcome.duplicates + batch.duplicatesInBatch)",
            "dead": "\(batch.deadLetters.count + outcome.refused.count)",
        ])
        let refused = outcome.refused.map { refusal in
            DeadLetter(kind: .rejectedByDatabase, reason: "\(refusal.error)", raw: batch.entries[refusal.index])
        }
        return CommittedBatch(shard: fetched.shard, entries: fetched.entries, deadLetters: batch.deadLetters + refused)
    }

    /// Drops a committed batch from its processing list and stores its dead letters; retried until done.
    private func acknowledge(_ committed: CommittedBatch) async throws {
        let shard = queue.shards[committed.shard]
        let eviction = try await retry.run(shouldRetry: { _ in true }, onRetry: logFailure("acknowledging")) {
            try await shard.acknowledge(
                consumer: consumer, batch: committed.entries, deadLetters: committed.deadLetters,
                deadLetterLimit: configuration.deadLetterMax, deadline: .after(.seconds(2)))
        }
        evictions.report(eviction, queue: shard.keys.queue)
        history.add(HistoryField.deadLettered, committed.deadLetters.count)
        record(committed.deadLetters)
    }

    private func record(_ deadLetters: [DeadLetter]) {
        for kind in DeadLetter.Kind.allCases {
            let ofKind = deadLetters.filter { $0.kind == kind }
            guard !ofKind.isEmpty else { continue }
            Counter(label: MetricName.deadLettered, dimensions: [("reason", kind.rawValue)]).increment(by: ofKind.count)
            logger.warning("dead-lettered messages", metadata: [
                "kind": "\(kind.rawValue)", "count": "\(ofKind.count)", "first_reason": "\(ofKind[0].reason)",
            ])
        }
    }

    /// Logs a failed step of the batch in hand and counts it towards the batch being stuck.
    private func logFailure(_ step: String) -> (any Error, Duration) -> Void {
        let log = logRetry(step)
        return { [stuck] error, delay in
            stuck.failed(with: error)
            log(error, delay)
        }
    }

    private func logRetry(_ step: String) -> (any Error, Duration) -> Void {
        { [warnings] error, delay in
            warnings.warning("\(step) failed, retrying", metadata: ["error": "\(error)", "retry_in_ms": "\(Int(delay.seconds * 1000))"])
        }
    }

    /// Leaves the consumer set, so another consumer reclaims at once whatever this one still holds.
    /// Not part of the (possibly cancelled) work above. A quarter of a second at most (a healthy Redis answers in a millisecond), so that the exit
    /// follows the grace by well under a second even when Redis does not answer; the history's last
    /// write takes another quarter. A deregistration that fails costs nothing: the heartbeat expires.
    private func deregister() async {
        let deadline = Deadline.after(.milliseconds(250))
        await Task { [queue, consumer] in
            for shard in queue.shards {
                try? await shard.deregister(consumer: consumer, deadline: deadline)
            }
        }.value
    }
}
