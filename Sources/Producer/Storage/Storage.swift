import Database
import Message
import Queue
import Resilience

/// Where accepted values go. The router depends on this, not on Redis, so it can be tested without sockets.
protocol CountQueueing: Sendable {
    /// Returns once the queue has acknowledged the message; throws `QueueRejection` or a connection error.
    func enqueue(_ message: QueueMessage, deadline: Deadline) async throws
}

/// Where the numbers of `GET /count` come from.
protocol CountReading: Sendable {
    func summary(deadline: Deadline) async throws -> CountSummary
}

/// Queue figures for `/stats` and the readiness check.
protocol QueueInspecting: Sendable {
    func depths(deadline: Deadline) async throws -> QueueDepths
    func ping(deadline: Deadline) async throws
}

/// The queue refused a message on purpose (as opposed to being unreachable).
struct QueueRejection: Error, Equatable {
    enum Kind: Equatable {
        /// The queue is above its high-water mark: the client should slow down (429).
        case backpressure
        /// The Producer is draining for shutdown (503).
        case shuttingDown
    }

    let kind: Kind
    let reason: String
}

/// `GET /count` from MariaDB: two index lookups, whatever the table's size.
struct DatabaseCountReader: CountReading {
    let database: DatabaseClient

    func summary(deadline: Deadline) async throws -> CountSummary {
        try await database.withConnection(deadline: deadline) { connection in
            CountSchema.parseSummary(try connection.prepared(CountSchema.summaryQuery).query([]))
        }
    }
}

struct RedisQueueInspector: QueueInspecting {
    let queue: QueueShards

    func depths(deadline: Deadline) async throws -> QueueDepths {
        try await queue.depths(deadline: deadline)
    }

    func ping(deadline: Deadline) async throws {
        try await queue.redis.ping(deadline: deadline)
    }
}
