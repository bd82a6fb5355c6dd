/// The database contract between the Consumer (which owns and writes the schema) and the Producer
/// (which reads it). Row counts live in `count_stats`, a few counter rows that each batch updates in
/// the same transaction as its inserts, so `GET /count` is exact without scanning `count`.
public enum CountSchema {
    /// Counter rows: consumers spread their updates over them to avoid contention on one row.
    public static let statsShards = 16

    /// Total rows, newest value, its insert time (Unix ms) and its end-to-end lag (ms): index lookups only.
    public static let summaryQuery = """
        SELECT (SELECT CAST(COALESCE(SUM(rows_count), 0) AS SIGNED) FROM count_stats),
               newest.count_value,
               CAST(UNIX_TIMESTAMP(newest.inserted_at) * 1000 AS SIGNED),
               CAST(TIMESTAMPDIFF(MICROSECOND, newest.enqueued_at, newest.inserted_at) / 1000 AS SIGNED)
        FROM (SELECT 1) AS anchor
        LEFT JOIN (SELECT count_value, inserted_at, enqueued_at FROM `count` ORDER BY id DESC LIMIT 1) AS newest ON 1 = 1
        """

    public static func parseSummary(_ rows: [DatabaseRow]) -> CountSummary {
        let row = rows.first ?? []
        func integer(_ column: Int) -> Int64? { row.count > column ? row[column].flatMap { Int64($0) } : nil }
        return CountSummary(
            rowsCount: integer(0) ?? 0, latestValue: integer(1), latestInsertedAtMilliseconds: integer(2),
            latestLagMilliseconds: integer(3))
    }
}

/// What `GET /count` and the dashboard report about the table.
public struct CountSummary: Sendable, Equatable {
    public var rowsCount: Int64
    public var latestValue: Int64?
    public var latestInsertedAtMilliseconds: Int64?
    /// Insert time minus enqueue time of the newest row: the pipeline's end-to-end lag.
    public var latestLagMilliseconds: Int64?

    public init(rowsCount: Int64, latestValue: Int64?, latestInsertedAtMilliseconds: Int64? = nil, latestLagMilliseconds: Int64? = nil) {
        self.rowsCount = rowsCount
        self.latestValue = latestValue
        self.latestInsertedAtMilliseconds = latestInsertedAtMilliseconds
        self.latestLagMilliseconds = latestLagMilliseconds
    }
}
