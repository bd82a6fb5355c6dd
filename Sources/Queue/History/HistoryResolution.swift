/// The two grains of the history kept in Redis: per-minute counters kept 8 days, per-day totals
/// kept 400 days. Each bucket is one hash (`QueueKeys.history`) that expires on its own.
public enum HistoryResolution: String, Sendable, CaseIterable {
    case minute = "m"
    case day = "d"

    public var seconds: Int64 {
        switch self {
        case .minute: 60
        case .day: 86_400
        }
    }

    /// How long a bucket is kept after it starts.
    public var retentionSeconds: Int64 {
        switch self {
        case .minute: 8 * 86_400
        case .day: 400 * 86_400
        }
    }

    /// The start (Unix seconds) of the bucket holding `seconds`.
    public func bucket(containing seconds: Int64) -> Int64 {
        seconds - seconds % self.seconds
    }
}

/// The counters the programs keep. Rejections are counted per reason (`rejected:<reason>`).
public enum HistoryField {
    public static let accepted = "accepted"
    public static let inserted = "inserted"
    public static let duplicates = "duplicates"
    public static let deadLettered = "dead_lettered"
    public static let replayed = "replayed"
    public static let rejectedPrefix = "rejected:"

    public static func rejected(_ reason: String) -> String { rejectedPrefix + reason }

    /// The fixed series every answer carries, even when all zero.
    static let fixed = [accepted, inserted, duplicates, deadLettered, replayed]
}

/// What `GET /history?window=` offers: the span, the grain it is read from, and the step of its points.
public enum HistoryWindow: String, Sendable, CaseIterable {
    case hour = "1h"
    case day = "24h"
    case week = "7d"
    case quarter = "90d"

    public var seconds: Int64 {
        switch self {
        case .hour: 3600
        case .day: 86_400
        case .week: 7 * 86_400
        case .quarter: 90 * 86_400
        }
    }

    var resolution: HistoryResolution { self == .quarter ? .day : .minute }

    /// Seconds per point: minutes summed into 5-minute and hourly points beyond the last hour.
    public var stepSeconds: Int64 {
        switch self {
        case .hour: 60
        case .day: 300
        case .week: 3600
        case .quarter: 86_400
        }
    }
}
