/// The moment by which a request must be answered; every blocking call below it is bounded by what is left.
public struct Deadline: Sendable, Comparable {
    public let instant: ContinuousClock.Instant

    public init(_ instant: ContinuousClock.Instant) {
        self.instant = instant
    }

    public static func after(_ duration: Duration) -> Deadline {
        Deadline(.now + duration)
    }

    public var remaining: Duration { instant - .now }
    public var hasPassed: Bool { remaining <= .zero }

    public static func < (lhs: Deadline, rhs: Deadline) -> Bool { lhs.instant < rhs.instant }
}

/// An operation ran out of time; a retry later may succeed.
public struct DeadlineExceededError: Error, CustomStringConvertible {
    public let operation: String

    public init(operation: String) {
        self.operation = operation
    }

    public var description: String { "\(operation) did not finish before its deadline" }
}
