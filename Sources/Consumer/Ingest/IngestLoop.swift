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
/// `STUCK_BATCH_AFTER_MS` is reported stuck. On SIGTERM it takes no new batch, and gives the ones
/// in hand `SHUTDOWN_GRACE_MS` (`ShutdownGrace`). While the queue is paused (`Consumer queue
/// pause`) it takes no new batch and looks again every `CONSUMER_BLOCK_MS`.
struct IngestLoop: Service {
    let configuration: ConsumerConfiguration
    let queue: any BatchQueue
    let rows: any RowStore
    let stuck: StuckBatchMonitor
    let history: any IngestHistory
    let logger: Logger
    let clock: IngestClock
    let warnings: RepeatedWarnings
    let evictions: EvictionReport
    var retry = RetryPolicy(initialDelay: .milliseconds(50), maxDelay: .seconds(5))

    private let insertDuration = Metrics.Timer(label: MetricName.insertDuration)
    private let batchSize = Recorder(label: MetricName.insertBatchSize, aggregate: true)
    private let inserted = Counter(label: MetricName.inserted)
    private let duplicates = Counter(label: MetricName.duplicates)

    init(
        configuration: ConsumerConfiguration, queue: any BatchQueue, rows: any RowStore, stuck: StuckBatchMonitor,
        history: any IngestHistory, logger: Logger, clock: IngestClock = IngestClock()
    ) {
        self.configuration = configuration
        self.queue = queue
        self.rows = rows
        self.stuck = stuck
        self.history = history
        self.logger = logger
        self.clock = clock
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
                "SHUTDOWN_GRACE_MS ran out before the batches in hand were committed; they stay in this consumer's processing list, where another consumer reclaims them",
                metadata: ["consumer": "\(consumer)"])
        }
    }

    /// Keeps the database busy: up to `DB_WRITE_SESSIONS` batches in their transactions at once,
    /// each on its own session, so batch n+1 is sent while batch n commits; Redis works beside
    /// them: the batch after is fetched and decoded ahead, and each committed batch acknowledged,
    /// in fetch order (`WriteWindow`). Every batch stays in this consumer's processing list until
    /// its acknowledge, so one whose commit reply was lost comes back and is recognised by its
    /// message ids.
    private func consume() async throws {
        guard try await unlessShuttingDown({ try await prepareSchema() }) != nil,
            try await unlessShuttingDown({ try await register() }) != nil
        else { return }
        try await withThrowingTaskGroup(of: Written.self) { group in
            var window = WriteWindow(sessions: configuration.writeSessions)
            var next = 0
            var idlePolls = 0
            var paused = false
            while true {
                // Not cancelled when shutdown begins: a batch fetched is in hand and gets the grace period.
                if let start = window.startNext() {
                    group.addTask { [self] in
                        Written(sequence: start.sequence, session: start.session, batch: try await write(start.batch, session: start.session))
                    }
                }
                for done in window.takeAcknowledgeable() { try await acknowledge(done) }
                if window.ready == nil, !Task.isShuttingDownGracefully {
                    if window.writing > 0 {
                        if let batch = await fetchAhead(startingAt: next, window: window) {
                            window.fetched(batch)
                            next = (batch.shard + 1) % queue.shardCount
                        }
                    } else {
                        let fetched: Fetch
                        do {
                            fetched = try await fetchBatch(startingAt: next, window: window)
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
                            guard try await unlessShuttingDown({ [clock, configuration] in try await clock.sleep(configuration.blockFor) }) != nil
                            else { return }
                        case .empty:
                            _ = try await unlessShuttingDown { [next, idlePolls] in try await waitForWork(onShard: next, idlePolls: idlePolls) }
                            next = (next + 1) % queue.shardCount
                            idlePolls += 1
                        case .batch(let batch):
                            window.fetched(batch)
                            next = (batch.shard + 1) % queue.shardCount
                            idlePolls = 0
                        }
                    }
                }
                if window.ready != nil, window.hasFreeSession { continue }
                guard window.writing > 0 else {
                    if Task.isShuttingDownGracefully, window.isEmpty { return }
                    continue
                }
                guard let written = try await group.next() else { continue }
                window.committed(sequence: written.sequence, session: written.session, written.batch)
            }
        }
    }

    /// A write that finished: which one, on which session.
    private struct Written: Sendable {
        let sequence: Int
        let session: Int
        let batch: CommittedBatch
    }

    /// The next batch while writes are under way: one attempt, skipping what the window holds. A
    /// failure or an empty or paused queue is only a lost head start: the loop waits for a write
    /// to finish and fetches again after it.
    private func fetchAhead(startingAt first: Int, window: WriteWindow) async -> FetchedBatch? {
        do {
            guard case .batch(let next) = try await fetchOnce(startingAt: first, window: window) else { return nil }
            return next
        } catch {
            warnings.warning("fetching the next batch ahead failed; fetching it after the writes under way", metadata: ["error": "\(error)"])
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
                shouldRetry: { [rotates = configuration.database.credentials.rotates] in
                    ($0 as? DatabaseError).map { $0.isTransient && (!$0.isRefusedLogin || rotates) } ?? true
                },
                onRetry: logRetry("preparing the schema")
            ) {
                try await rows.prepareSchema(deadline: .after(.seconds(120)))
            }
            logger.info("schema ready", metadata: ["changes": "\(report.changes.isEmpty ? "none" : report.changes.joined(separator: "; "))"])
        } catch let error as DatabaseError where !Task.isShuttingDownGracefully && !Task.isCancelled {
            let hint = error.isRefusedLogin ? " (check DB_USER, DB_PASSWORD or DB_SECRET, and DB_TLS)" : ""
            logger.critical("the database refused to prepare the schema: \(error)\(hint)")
            throw error
        }
    }

    private func register() async throws {
        for shard in 0..<queue.shardCount {
            try await retry.run(shouldRetry: { _ in true }, onRetry: logRetry("registering"), sleep: clock.sleep) {
                try await queue.heartbeat(shard: shard, consumer: consumer, deadline: .after(.seconds(2)))
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
    private func fetchBatch(startingAt first: Int, window: WriteWindow) async throws -> Fetch {
        try await retry.run(
            shouldRetry: { _ in !Task.isShuttingDownGracefully }, onRetry: logRetry("fetching"),
            sleep: { [clock] delay in try await cancelWhenGracefulShutdown { try await clock.sleep(delay) } }
        ) {
            try await fetchOnce(startingAt: first, window: window)
        }
    }

    /// One attempt of `fetchBatch`. A shard that fails (its primary failing over) is passed over; only
    /// when all fail does it throw. `window`: the batches in hand, which head their shards' lists. A
    /// paused shard still hands back a batch left in this consumer's processing list, so every shard
    /// is asked even while paused.
    private func fetchOnce(startingAt first: Int, window: WriteWindow) async throws -> Fetch {
        var failure: (any Error)?
        var answered = false
        var paused = false
        for offset in 0..<queue.shardCount {
            let shard = (first + offset) % queue.shardCount
            do {
                let fetched = try await queue.fetchBatch(
                    shard: shard, consumer: consumer, limit: configuration.batchSize,
                    skipping: window.heldEntries(onShard: shard), deadline: .after(.seconds(2)))
                answered = true
                switch fetched {
                case .paused: paused = true
                case .entries(let entries) where !entries.isEmpty: return .batch(FetchedBatch(shard: shard, entries: entries))
                case .entries: continue
                }
            } catch {
                failure = error
                if queue.shardCount > 1 {
                    warnings.warning("fetching from a queue shard failed; trying the next", metadata: [
                        "queue": "\(queue.name(ofShard: shard))", "error": "\(error)",
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
    private func waitForWork(onShard shard: Int, idlePolls: Int) async throws {
        if configuration.blockingFetch {
            do {
                let share = max(configuration.blockFor / queue.shardCount, .milliseconds(50))
                try await queue.waitForWork(shard: shard, blockFor: share, deadline: .after(.seconds(2)))
            } catch where !Task.isCancelled {
                warnings.warning("waiting for work failed", metadata: ["error": "\(error)"])
                try await clock.sleep(.milliseconds(200))
            }
        } else {
            let delay = RetryPolicy(initialDelay: .milliseconds(5), maxDelay: .milliseconds(250), jitter: 0)
                .baseDelay(attempt: idlePolls)
            try await clock.sleep(delay)
        }
    }

    /// Inserts the batch's rows on write session `session`, isolating what the database refuses;
    /// retries until that holds (or, after SIGTERM, until the grace period ends). A retry after a
    /// commit whose reply was lost finds the rows by their message ids and adds none twice. A
    /// deadlock with another session or consumer (1213) is retried like any passing failure.
    private func write(_ fetched: FetchedBatch, session: Int) async throws -> CommittedBatch {
        let batch = fetched.decoded
        let started = clock.now()
        let outcome = try await retry.run(shouldRetry: { _ in true }, onRetry: logFailure("inserting"), sleep: clock.sleep) {
            try await rows.write(batch.messages, session: session, deadline: .after(configuration.databaseTimeout))
        }
        stuck.succeeded()
        insertDuration.recordNanoseconds(Int64((clock.now() - started).seconds * 1e9))
        batchSize.record(fetched.entries.count)
        inserted.increment(by: outcome.inserted)
        duplicates.increment(by: outcome.duplicates + batch.duplicatesInBatch)
        history.count(HistoryField.inserted, outcome.inserted)
        history.count(HistoryField.duplicates, outcome.duplicates + batch.duplicatesInBatch)
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
        let eviction = try await retry.run(shouldRetry: { _ in true }, onRetry: logFailure("acknowledging"), sleep: clock.sleep) {
            try await queue.acknowledge(
                shard: committed.shard, consumer: consumer, batch: committed.entries, deadLetters: committed.deadLetters,
                deadLetterLimit: configuration.deadLetterMax, deadline: .after(.seconds(2)))
        }
        evictions.report(eviction, queue: queue.name(ofShard: committed.shard))
        history.count(HistoryField.deadLettered, committed.deadLetters.count)
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
            for shard in 0..<queue.shardCount {
                try? await queue.deregister(shard: shard, consumer: consumer, deadline: deadline)
            }
        }.value
    }
}
