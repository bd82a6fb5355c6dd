import Database

/// Creates or upgrades the schema; idempotent, and safe when several consumers start at once
/// (they take turns under a named lock). A table made by the old system, `count(id, count_value)`,
/// keeps its rows and gains the new columns and index; its existing rows become the counter's start.
enum SchemaMigrator {
    static let lockName = "count_pipeline.schema"

    static let createCountTable = """
        CREATE TABLE IF NOT EXISTS `count` (
          id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
          count_value BIGINT NOT NULL,
          message_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
          enqueued_at DATETIME(3) NULL,
          inserted_at DATETIME(3) NULL,
          UNIQUE KEY uq_count_message_id (message_id)
        ) ENGINE=InnoDB
        """

    static let createStatsTable = """
        CREATE TABLE IF NOT EXISTS count_stats (
          shard SMALLINT NOT NULL PRIMARY KEY,
          rows_count BIGINT NOT NULL
        ) ENGINE=InnoDB
        """

    /// Columns the guarantees need, with how to add each to an old table.
    static let addedColumns: [(name: String, definition: String)] = [
        ("message_id", "VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL"),
        ("enqueued_at", "DATETIME(3) NULL"),
        ("inserted_at", "DATETIME(3) NULL"),
    ]

    /// What a migration changed, for the log.
    struct Report: Equatable {
        var changes: [String] = []
    }

    static func migrate(_ connection: DatabaseConnection) throws -> Report {
        guard try connection.query("SELECT GET_LOCK('\(lockName)', 60)").first?.first == "1" else {
            throw DatabaseError(code: 0, message: "another process held the schema lock for 60 s")
        }
        defer { _ = try? connection.query("SELECT RELEASE_LOCK('\(lockName)')") }
        var report = Report()
        try connection.query(createCountTable)
        try upgradeCountTable(connection, report: &report)
        try connection.query(createStatsTable)
        try seedCounters(connection, report: &report)
        return report
    }

    private static func upgradeCountTable(_ connection: DatabaseConnection, report: inout Report) throws {
        let columns = try connection.query("""
            SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE FROM information_schema.COLUMNS
            WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'count'
            """)
        let types = Dictionary(uniqueKeysWithValues: columns.map { ($0[0] ?? "", ($0[1] ?? "", $0[2] == "YES")) })
        var alterations: [String] = []
        if let (type, _) = types["id"], type != "bigint" {
            alterations.append("MODIFY id BIGINT NOT NULL AUTO_INCREMENT")
        }
        if let (type, nullable) = types["count_value"], type != "bigint" {
            alterations.append("MODIFY count_value BIGINT \(nullable ? "NULL" : "NOT NULL")")
        }
        for column in addedColumns where types[column.name] == nil {
            alterations.append("ADD COLUMN \(column.name) \(column.definition)")
        }
        let hasIndex = try !connection.query("""
            SELECT 1 FROM information_schema.STATISTICS
            WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'count' AND INDEX_NAME = 'uq_count_message_id'
            """).isEmpty
        if !hasIndex {
            alterations.append("ADD UNIQUE KEY uq_count_message_id (message_id)")
        }
        guard !alterations.isEmpty else { return }
        try connection.query("ALTER TABLE `count` " + alterations.joined(separator: ", "))
        report.changes += alterations
    }

    /// Creates the counter rows once; shard 0 starts at the rows already in the table.
    private static func seedCounters(_ connection: DatabaseConnection, report: inout Report) throws {
        guard try connection.query("SELECT COUNT(*) FROM count_stats").first?.first == "0" else { return }
        try connection.transaction {
            try connection.query("INSERT INTO count_stats (shard, rows_count) SELECT 0, COUNT(*) FROM `count`")
            let others = (1..<CountSchema.statsShards).map { "(\($0), 0)" }.joined(separator: ", ")
            try connection.query("INSERT INTO count_stats (shard, rows_count) VALUES " + others)
        }
        let existing = try connection.query("SELECT rows_count FROM count_stats WHERE shard = 0").first?.first.flatMap { $0 } ?? "?"
        report.changes.append("created \(CountSchema.statsShards) counter rows, starting at \(existing) existing rows")
    }
}

extension DatabaseError {
    /// Table or column missing (ER_NO_SUCH_TABLE, ER_BAD_FIELD_ERROR): the schema needs creating again.
    var meansSchemaIsMissing: Bool { code == 1146 || code == 1054 }
}
