import Logging
import Synchronization

/// Keeps a warning that repeats (a retry loop, a probe against a server that is down) from
/// flooding the log: the first occurrence of a message is logged, later ones within `interval`
/// are only counted, and the next line logged for that message says how many were left out.
public final class RepeatedWarnings: Sendable {
    private struct Seen {
        var loggedAt: ContinuousClock.Instant
        var suppressed: Int
    }

    private let logger: Logger
    private let interval: Duration
    private let seen = Mutex<[String: Seen]>([:])

    public init(logger: Logger, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.interval = interval
    }

    /// Logs `message` at warning level, unless it was logged less than `interval` ago; through
    /// `logger` when given (a request's, which carries its id). `kind` tells apart repeats of one
    /// message that are different problems (the error code of a failed request); each kind has its
    /// own interval. Whether it logged.
    @discardableResult
    public func warning(
        _ message: String, kind: String? = nil, metadata: Logger.Metadata = [:], via logger: Logger? = nil,
        now: ContinuousClock.Instant = .now
    ) -> Bool {
        guard let suppressed = admit(kind.map { "\(message) (\($0))" } ?? message, now: now) else { return false }
        var metadata = metadata
        if suppressed > 0 {
            metadata["repeats_not_logged"] = "\(suppressed)"
        }
        (logger ?? self.logger).warning("\(message)", metadata: metadata)
        return true
    }

    /// How many occurrences were left out since the last line, or nil when this one is left out too.
    func admit(_ message: String, now: ContinuousClock.Instant) -> Int? {
        seen.withLock { seen in
            if var entry = seen[message], now - entry.loggedAt < interval {
                entry.suppressed += 1
                seen[message] = entry
                return nil
            }
            let suppressed = seen[message]?.suppressed ?? 0
            // A handful of distinct messages in practice; forget the old ones rather than grow.
            if seen.count > 256 { seen = seen.filter { now - $0.value.loggedAt < interval } }
            seen[message] = Seen(loggedAt: now, suppressed: 0)
            return suppressed
        }
    }
}
