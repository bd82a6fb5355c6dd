import ArgumentParser
import Database
import Message
import Settings

/// `WriteBenchmark` (built beside the programs, run by bench/run.sh): how fast the configured database takes the Consumer's rows by each
/// write path it could use, for the same rows: multi-row prepared `INSERT … ON DUPLICATE KEY UPDATE`
/// at several statement sizes, the same INSERT as text with the values in it (larger packets, no
/// placeholder limit), and `LOAD DATA LOCAL INFILE … IGNORE` fed from memory, each with the
/// counter update in the same transaction; and what the unique key costs, today's
/// `message_id VARCHAR(64)` against a 16-byte binary key. Each run gets a scratch database
/// (`<DB_NAME>_bench_<n>`), dropped afterwards; the user needs CREATE and DROP on it.
@main
struct WriteBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "WriteBenchmark",
        abstract: "Measure the database's bulk write paths for the Consumer's rows (scratch databases <DB_NAME>_bench_*).")

    @Option(help: "Rows per measurement.")
    var rows = 200_000

    @Option(help: "Rows per transaction for the multi-row INSERT (also the rows per statement).")
    var insertBatches = [100, 500, 2000]

    @Option(help: "Rows per transaction (and statement) for the multi-row INSERT as text.")
    var textInsertBatches = [1000, 5000]

    @Option(help: "Rows per transaction for LOAD DATA LOCAL INFILE.")
    var loadBatches = [500, 2000, 5000]

    @Flag(help: "One JSON object per measurement instead of the table.")
    var json = false

    func run() async throws {
        let settings = try loadConfiguration(DatabaseSettings.init(from:))
        guard rows > 0, (insertBatches + textInsertBatches + loadBatches).allSatisfy({ 1...50_000 ~= $0 }) else {
            throw ValidationError("--rows must be positive and every batch between 1 and 50000")
        }
        let messages = (0..<rows).map {
            QueueMessage(id: MessageID.make(), count: Int64($0), enqueuedAtMilliseconds: UnixTime.milliseconds())
        }
        let paths = insertBatches.map { WritePath.insert(batch: $0) } + textInsertBatches.map { WritePath.textInsert(batch: $0) }
            + loadBatches.map { WritePath.loadData(batch: $0) }
        var results: [Measurement] = []
        for key in RowKey.allCases {
            for path in paths {
                results.append(try measure(path, key: key, messages: messages, settings: settings, run: results.count))
                if !json { print(results.last!.line) }
            }
        }
        if json {
            results.forEach { print($0.json) }
        } else if let best = results.max(by: { $0.rowsPerSecond < $1.rowsPerSecond }) {
            print("fastest: \(best.path.name) with the \(best.key.rawValue) key")
        }
    }

    private func measure(_ path: WritePath, key: RowKey, messages: [QueueMessage], settings: DatabaseSettings, run: Int) throws -> Measurement {
        var scratch = settings
        scratch.name = "\(settings.name)_bench_\(run)"
        let admin = try DatabaseConnection.connect(settings: settings, database: nil, connectTimeout: .seconds(10), ioTimeout: .seconds(600))
        defer {
            _ = try? admin.query("DROP DATABASE IF EXISTS `\(scratch.name)`")
            admin.close()
        }
        try admin.query("DROP DATABASE IF EXISTS `\(scratch.name)`")
        try admin.query("CREATE DATABASE `\(scratch.name)`")
        let connection = try DatabaseConnection.connect(
            settings: scratch, database: scratch.name, connectTimeout: .seconds(10), ioTimeout: .seconds(600), localData: true)
        defer { connection.close() }
        try connection.query(key.createTable)
        try connection.query("CREATE TABLE count_stats (shard SMALLINT NOT NULL PRIMARY KEY, rows_count BIGINT NOT NULL) ENGINE=InnoDB")
        try connection.query("INSERT INTO count_stats VALUES (0, 0)")
        let started = ContinuousClock.now
        var inserted: UInt64 = 0
        for start in stride(from: 0, to: messages.count, by: path.batch) {
            let batch = messages[start..<min(start + path.batch, messages.count)]
            inserted += try connection.transaction {
                let new = try path.write(batch, key: key, on: connection)
                try connection.prepared("UPDATE count_stats SET rows_count = rows_count + ? WHERE shard = 0").execute([.unsignedInteger(new)])
                return new
            }
        }
        let elapsed = ContinuousClock.now - started
        let counted = try connection.query("SELECT rows_count FROM count_stats").first?.first ?? nil
        guard inserted == messages.count, counted == String(messages.count) else {
            throw ValidationError("\(path.name) (\(key.rawValue)): \(inserted) rows reported, counter \(counted ?? "none"), expected \(messages.count)")
        }
        return Measurement(path: path, key: key, rows: messages.count, seconds: elapsed.seconds)
    }
}

/// The unique key that makes an insert idempotent.
enum RowKey: String, CaseIterable {
    /// Today's schema: the message id as text.
    case varchar64 = "VARCHAR(64)"
    /// A compact alternative: the UUIDv7 as its 16 bytes.
    case binary16 = "BINARY(16)"

    var createTable: String {
        let keyColumn = switch self {
        case .varchar64: "message_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL"
        case .binary16: "message_key BINARY(16) NULL"
        }
        return """
            CREATE TABLE `count` (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, count_value BIGINT NOT NULL,
              \(keyColumn), enqueued_at DATETIME(3) NULL, inserted_at DATETIME(3) NULL,
              UNIQUE KEY uq_count_key (\(column))) ENGINE=InnoDB
            """
    }

    var column: String { self == .varchar64 ? "message_id" : "message_key" }
    /// The SQL that turns a bound message id into the key.
    func value(of placeholder: String) -> String { self == .varchar64 ? placeholder : "UNHEX(REPLACE(\(placeholder), '-', ''))" }
}

enum WritePath {
    case insert(batch: Int)
    case textInsert(batch: Int)
    case loadData(batch: Int)

    var batch: Int {
        switch self {
        case .insert(let batch), .textInsert(let batch), .loadData(let batch): batch
        }
    }

    var name: String {
        switch self {
        case .insert(let batch): "INSERT … ON DUPLICATE KEY UPDATE, \(batch) rows"
        case .textInsert(let batch): "text INSERT … ON DUPLICATE KEY UPDATE, \(batch) rows"
        case .loadData(let batch): "LOAD DATA LOCAL INFILE … IGNORE, \(batch) rows"
        }
    }

    /// Writes `batch`; returns the new rows.
    func write(_ batch: ArraySlice<QueueMessage>, key: RowKey, on connection: DatabaseConnection) throws -> UInt64 {
        switch self {
        case .insert:
            let row = "(?, \(key.value(of: "?")), FROM_UNIXTIME(? / 1000), NOW(3))"
            let sql = "INSERT INTO `count` (count_value, \(key.column), enqueued_at, inserted_at) VALUES "
                + Array(repeating: row, count: batch.count).joined(separator: ", ")
                + " ON DUPLICATE KEY UPDATE \(key.column) = \(key.column)"
            return try connection.prepared(sql).execute(batch.flatMap {
                [.integer($0.count), .text($0.id), .unsignedInteger($0.enqueuedAtMilliseconds)]
            })
        case .textInsert:
            // One packet of SQL text: the integers formatted, each id quoted by the server's own escaping.
            let rows = batch.map { "(\($0.count), \(key.value(of: connection.quoted($0.id))), FROM_UNIXTIME(\($0.enqueuedAtMilliseconds) / 1000), NOW(3))" }
            try connection.query("INSERT INTO `count` (count_value, \(key.column), enqueued_at, inserted_at) VALUES "
                + rows.joined(separator: ", ") + " ON DUPLICATE KEY UPDATE \(key.column) = \(key.column)")
            return connection.affectedRows
        case .loadData:
            // Tab-separated: the values are integers and ids of [A-Za-z0-9._:-], nothing to escape.
            var text: [UInt8] = []
            text.reserveCapacity(batch.count * 64)
            for message in batch {
                text += Array("\(message.count)\t\(message.id)\t\(message.enqueuedAtMilliseconds)\n".utf8)
            }
            return try connection.loadData("""
                LOAD DATA LOCAL INFILE 'batch' IGNORE INTO TABLE `count` FIELDS TERMINATED BY '\\t'
                (count_value, @id, @ts) SET \(key.column) = \(key.value(of: "@id")),
                enqueued_at = FROM_UNIXTIME(@ts / 1000), inserted_at = NOW(3)
                """, from: text)
        }
    }
}

struct Measurement {
    let path: WritePath
    let key: RowKey
    let rows: Int
    let seconds: Double

    var rowsPerSecond: Double { Double(rows) / seconds }

    var line: String {
        func padded(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        return "\(padded(path.name, 46)) key \(padded(key.rawValue, 12)) \(Int(rowsPerSecond)) rows/s"
    }

    var json: String {
        JSONText.object([
            "path": JSONText.quoted(path.name), "key": JSONText.quoted(key.rawValue), "batch": String(path.batch),
            "rows": String(rows), "seconds": String(seconds), "rows_per_second": String(Int(rowsPerSecond)),
        ])
    }
}
