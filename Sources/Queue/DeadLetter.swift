/// A queue entry that can never become a row, on its way to the dead-letter list. The record
/// stored there (DESIGN.md, "Queue message") is built by the queue's scripts, which add the
/// message id (or a digest of `raw`), the delivery count, the consumer and the server's time.
public struct DeadLetter: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Not a message at all: neither an envelope nor a bare integer.
        case undecodable
        /// Its consumers kept dying while it was in flight (`MAX_DELIVERIES`).
        case maxDeliveries = "max_deliveries"
        /// The database refused its row for good (its error is the reason).
        case rejectedByDatabase = "rejected_by_database"
    }

    public let kind: Kind
    /// What was wrong, for people.
    public let reason: String
    /// The entry as it was in the queue.
    public let raw: [UInt8]

    public init(kind: Kind, reason: String, raw: [UInt8]) {
        self.kind = kind
        self.reason = reason
        self.raw = raw
    }
}
