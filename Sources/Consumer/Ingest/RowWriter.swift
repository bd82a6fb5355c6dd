import Database
import Message

/// Writes a batch of messages as rows: multi-row prepared INSERTs that skip ids already present
/// (the exactly-once effect over an at-least-once queue), plus the row counter, in one transaction.
/// When the database refuses the rows themselves, the batch is halved until the refused messages
/// stand alone; every other message is still committed.
struct RowWriter: Sendable {
    let batchSize: Int

    struct Outcome: Equatable {
        var inserted = 0
        var duplicates = 0
        /// Messages the database refused for good, by their index in the batch, with its error.
        var refused: [Refusal] = []

        static func + (lhs: Outcome, rhs: Outcome) -> Outcome {
            Outcome(inserted: lhs.inserted + rhs.inserted, duplicates: lhs.duplicates + rhs.duplicates, refused: lhs.refused + rhs.refused)
        }
    }

    struct Refusal: Equatable {
        let index: Int
        let error: DatabaseError
    }

    /// Inserts `messages` (unique ids); returns how many were new, how many were already there,
    /// and which the database refused. Errors worth retrying (`DatabaseError.Disposition.retry`)
    /// are thrown: nothing of the batch is lost then, rows already committed by a half stay
    /// unique by their message ids when the batch is tried again.
    /// `statsShard`: the counter row to add the new rows to.
    func write(_ messages: [QueueMessage], on session: some RowTransactions, statsShard: Int) throws -> Outcome {
        try write(messages[...], on: session, statsShard: statsShard)
    }

    private func write(_ messages: ArraySlice<QueueMessage>, on session: some RowTransactions, statsShard: Int) throws -> Outcome {
        guard !messages.isEmpty else { return Outcome() }
        do {
            let inserted = try session.insertSkippingPresent(messages, chunk: batchSize, statsShard: statsShard)
            return Outcome(inserted: inserted, duplicates: messages.count - inserted)
        } catch let error as DatabaseError where error.disposition == .refusal {
            guard messages.count > 1 else { return Outcome(refused: [Refusal(index: messages.startIndex, error: error)]) }
            let middle = messages.startIndex + messages.count / 2
            return try write(messages[..<middle], on: session, statsShard: statsShard)
                + write(messages[middle...], on: session, statsShard: statsShard)
        }
    }

    /// Full chunks first (the common case under load: one statement), then powers of two, so each
    /// connection caches a handful of prepared statements instead of one per batch length.
    static func chunkSizes(total: Int, fullChunk: Int) -> [Int] {
        var sizes = Array(repeating: fullChunk, count: total / fullChunk)
        var rest = total % fullChunk
        while rest > 0 {
            let size = 1 << (Int.bitWidth - 1 - rest.leadingZeroBitCount)
            sizes.append(size)
            rest -= size
        }
        return sizes
    }

    /// `ON DUPLICATE KEY UPDATE message_id = message_id` leaves a present row untouched and reports
    /// 0 affected rows for it, so the affected-row count is exactly the number of new rows, on MySQL
    /// and MariaDB alike. It assigns no auto-increment column: `id = id` does, and MySQL refuses
    /// that (error 1869) when the statement also generates ids.
    static func insertStatement(rows: Int) -> String {
        let row = "(?, ?, FROM_UNIXTIME(? / 1000), NOW(3))"
        return "INSERT INTO `count` (count_value, message_id, enqueued_at, inserted_at) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ") + " ON DUPLICATE KEY UPDATE message_id = message_id"
    }
}

/// One database session as `RowWriter` writes through it: `DatabaseConnection` in the Consumer, a
/// fake in the unit tests of the bisection.
protocol RowTransactions {
    /// In one transaction: inserts `messages` (statements of at most `chunk` rows), skipping ids
    /// already present, adds the number of new rows to counter row `statsShard`, and commits.
    /// Returns how many rows were new. On any failure it rolls back and throws the `DatabaseError`.
    func insertSkippingPresent(_ messages: ArraySlice<QueueMessage>, chunk: Int, statsShard: Int) throws -> Int
}

extension DatabaseConnection: RowTransactions {
    func insertSkippingPresent(_ messages: ArraySlice<QueueMessage>, chunk: Int, statsShard: Int) throws -> Int {
        try transaction {
            var inserted: UInt64 = 0
            var offset = messages.startIndex
            for size in RowWriter.chunkSizes(total: messages.count, fullChunk: chunk) {
                let values = messages[offset..<offset + size].flatMap { message -> [DatabaseValue] in
                    [.integer(message.count), .text(message.id), .unsignedInteger(message.enqueuedAtMilliseconds)]
                }
                offset += size
                inserted += try prepared(RowWriter.insertStatement(rows: size)).execute(values)
            }
            if inserted > 0 {
                try prepared("UPDATE count_stats SET rows_count = rows_count + ? WHERE shard = ?")
                    .execute([.unsignedInteger(inserted), .integer(Int64(statsShard))])
            }
            return Int(inserted)
        }
    }
}
