import Shared

/// Writes a batch of messages as rows in one transaction: multi-row prepared INSERTs that skip ids
/// already present (the exactly-once effect over an at-least-once queue), plus the row counter.
struct RowWriter: Sendable {
    let batchSize: Int
    /// Counter row this consumer adds to (spread over consumers to avoid one hot row).
    let statsShard: Int

    struct Outcome: Equatable {
        var inserted = 0
        var duplicates = 0
    }

    /// Inserts `messages`; returns how many were new and how many were already there.
    func write(_ messages: [QueueMessage], on connection: DatabaseConnection) throws -> Outcome {
        guard !messages.isEmpty else { return Outcome() }
        return try connection.transaction {
            var inserted: UInt64 = 0
            var offset = 0
            for size in Self.chunkSizes(total: messages.count, fullChunk: batchSize) {
                let chunk = messages[offset..<offset + size]
                offset += size
                let values = chunk.flatMap { message -> [DatabaseValue] in
                    [.integer(message.count), .text(message.id), .unsignedInteger(message.enqueuedAtMilliseconds)]
                }
                inserted += try connection.prepared(Self.insertStatement(rows: size)).execute(values)
            }
            if inserted > 0 {
                try connection.prepared("UPDATE count_stats SET rows_count = rows_count + ? WHERE shard = ?")
                    .execute([.unsignedInteger(inserted), .integer(Int64(statsShard))])
            }
            return Outcome(inserted: Int(inserted), duplicates: messages.count - Int(inserted))
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

    /// `ON DUPLICATE KEY UPDATE id = id` leaves a present row untouched and reports 0 affected rows
    /// for it, so the affected-row count is exactly the number of new rows.
    static func insertStatement(rows: Int) -> String {
        let row = "(?, ?, FROM_UNIXTIME(? / 1000), NOW(3))"
        return "INSERT INTO `count` (count_value, message_id, enqueued_at, inserted_at) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ") + " ON DUPLICATE KEY UPDATE id = id"
    }
}
