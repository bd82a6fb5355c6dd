import Database
import Message
import Queue
import Resilience

// What the ingest loop needs of the world, each as a protocol: the Consumer passes the real
// servers (below), the unit tests fakes, so the loop's order of writes, commits and
// acknowledgements is tested without Redis, a database or real time.

/// The database side of the ingest loop.
protocol RowStore: Sendable {
    /// Creates or upgrades the schema.
    func prepareSchema(deadline: Deadline) async throws -> SchemaMigrator.Report
    /// Writes `messages` in one transaction (splitting it where the database refuses rows) on
    /// write session `session` (0..<`DB_WRITE_SESSIONS`); no two writes use one session at once.
    func write(_ messages: [QueueMessage], session: Int, deadline: Deadline) async throws -> RowWriter.Outcome
}

/// The queue side of the ingest loop: each call on one of the queue's shards.
protocol BatchQueue: Sendable {
    var shardCount: Int { get }
    /// The shard's list, for log lines.
    func name(ofShard shard: Int) -> String
    /// See `WorkQueue.fetchBatch`: `held` entries at the head of the processing list are in hand.
    func fetchBatch(shard: Int, consumer: String, limit: Int, skipping held: Int, deadline: Deadline) async throws -> WorkQueue.Fetched
    /// See `WorkQueue.acknowledge`: drops a committed batch from the head of the processing list.
    func acknowledge(
        shard: Int, consumer: String, batch: [[UInt8]], deadLetters: [DeadLetter], deadLetterLimit: Int, deadline: Deadline
    ) async throws -> DeadLetterEviction
    func waitForWork(shard: Int, blockFor: Duration, deadline: Deadline) async throws
    func heartbeat(shard: Int, consumer: String, deadline: Deadline) async throws
    func deregister(shard: Int, consumer: String, deadline: Deadline) async throws
}

/// Where the ingest loop counts what it did for the dashboard's history.
protocol IngestHistory: Sendable {
    func count(_ field: String, _ amount: Int)
}

/// The ingest loop's time: its waits (retry backoff, polls) and the stopwatch of a write. Real
/// time in the Consumer; the unit tests pass waits that return at once, so retries cost no time.
struct IngestClock: Sendable {
    var now: @Sendable () -> ContinuousClock.Instant = { .now }
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
}

// MARK: The real servers

/// MariaDB or MySQL through the Consumer's pool: one connection per write session, and one more
/// for the probes, so `/ready` never waits behind a write.
struct DatabaseRowStore: RowStore {
    let database: DatabaseClient
    let writer: RowWriter
    /// The counter row of each write session: consecutive rows from a random start, so the
    /// sessions of one consumer never wait on one another's row lock (nor deadlock on it).
    let statsShards: [Int]

    init(database: DatabaseClient, writer: RowWriter, sessions: Int, firstStatsShard: Int) {
        self.database = database
        self.writer = writer
        self.statsShards = (0..<sessions).map { (firstStatsShard + $0) % CountSchema.statsShards }
    }

    func prepareSchema(deadline: Deadline) async throws -> SchemaMigrator.Report {
        try await database.withConnection(deadline: deadline) { try SchemaMigrator.migrate($0) }
    }

    func write(_ messages: [QueueMessage], session: Int, deadline: Deadline) async throws -> RowWriter.Outcome {
        try await database.withConnection(deadline: deadline) { [writer, statsShard = statsShards[session]] connection in
            do {
                return try writer.write(messages, on: connection, statsShard: statsShard)
            } catch let error as DatabaseError where error.meansSchemaIsMissing {
                // Someone dropped or replaced the table while we ran: rebuild it, then retry the batch.
                _ = try SchemaMigrator.migrate(connection)
                throw error
            }
        }
    }
}

extension QueueShards: BatchQueue {
    var shardCount: Int { shards.count }

    func name(ofShard shard: Int) -> String { shards[shard].keys.queue }

    func fetchBatch(shard: Int, consumer: String, limit: Int, skipping held: Int, deadline: Deadline) async throws -> WorkQueue.Fetched {
        try await shards[shard].fetchBatch(consumer: consumer, limit: limit, skipping: held, deadline: deadline)
    }

    func acknowledge(
        shard: Int, consumer: String, batch: [[UInt8]], deadLetters: [DeadLetter], deadLetterLimit: Int, deadline: Deadline
    ) async throws -> DeadLetterEviction {
        try await shards[shard].acknowledge(
            consumer: consumer, batch: batch, deadLetters: deadLetters, deadLetterLimit: deadLetterLimit, deadline: deadline)
    }

    func waitForWork(shard: Int, blockFor: Duration, deadline: Deadline) async throws {
        try await shards[shard].waitForWork(blockFor: blockFor, deadline: deadline)
    }

    func heartbeat(shard: Int, consumer: String, deadline: Deadline) async throws {
        try await shards[shard].heartbeat(consumer: consumer, deadline: deadline)
    }

    func deregister(shard: Int, consumer: String, deadline: Deadline) async throws {
        try await shards[shard].deregister(consumer: consumer, deadline: deadline)
    }
}

extension HistoryRecorder: IngestHistory {
    func count(_ field: String, _ amount: Int) {
        add(field, amount)
    }
}
