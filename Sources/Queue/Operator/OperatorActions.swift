import Logging

/// The operator's actions on the queue (DESIGN.md, "Operations interface"), shared by the CLI
/// (`Consumer dead-letters ...`, `Consumer queue ...`) and the Producer's `/admin/...` routes, so
/// both act the same way and both write the audit line: one per state-changing action, saying
/// what, which records, how many, and from where.
public struct OperatorActions: Sendable {
    public let deadLetters: DeadLetterStore
    public let control: QueueControl
    private let history: HistoryRecorder
    private let audit: Logger

    public init(queue: QueueShards, history: HistoryRecorder, audit: Logger = Logger(label: "audit")) {
        self.deadLetters = DeadLetterStore(queue: queue)
        self.control = QueueControl(queue: queue)
        self.history = history
        self.audit = audit
    }

    /// Replays the chosen records (or, with `dryRun`, only counts them). An `--id` that matches
    /// nothing is an error, so a typo is not mistaken for "nothing to do".
    public func replay(
        _ selector: DeadLetterSelector, limit: Int?, rate: Int?, dryRun: Bool, origin: String
    ) async throws -> DeadLetterTakeResult {
        let result = try await deadLetters.take(dryRun ? .count : .replay, selector, limit: limit, rate: rate)
        try Self.requireFound(selector, result)
        guard !dryRun else { return result }
        history.add(HistoryField.replayed, result.taken)
        await history.flush(deadline: .after(.seconds(2)))
        record("replay", selector: selector, count: result.taken, origin: origin, extra: [
            "limit": "\(limit.map(String.init) ?? "none")", "rate": "\(rate.map(String.init) ?? "none")",
        ])
        return result
    }

    public func purge(_ selector: DeadLetterSelector, origin: String) async throws -> DeadLetterTakeResult {
        let result = try await deadLetters.take(.purge, selector)
        try Self.requireFound(selector, result)
        record("purge", selector: selector, count: result.taken, origin: origin)
        return result
    }

    /// Returns whether this call paused the queue (false: it was paused already).
    public func pause(origin: String) async throws -> Bool {
        let changed = try await control.pause(deadline: .after(.seconds(2)))
        record("pause", selector: nil, count: changed ? 1 : 0, origin: origin)
        return changed
    }

    public func resume(origin: String) async throws -> Bool {
        let changed = try await control.resume(deadline: .after(.seconds(2)))
        record("resume", selector: nil, count: changed ? 1 : 0, origin: origin)
        return changed
    }

    private static func requireFound(_ selector: DeadLetterSelector, _ result: DeadLetterTakeResult) throws(QueueOperationError) {
        if case .id(let id) = selector, result.taken == 0 {
            throw QueueOperationError.unknownID(id)
        }
    }

    private func record(_ action: String, selector: DeadLetterSelector?, count: Int, origin: String, extra: Logger.Metadata = [:]) {
        audit.notice("audit: \(action)", metadata: extra.merging([
            "action": "\(action)", "selector": "\(selector.map(\.description) ?? "-")", "count": "\(count)", "origin": "\(origin)",
        ]) { _, new in new })
    }
}

public enum QueueOperationError: Error, Equatable, CustomStringConvertible {
    case unknownID(String)

    public var description: String {
        switch self {
        case .unknownID(let id): "no dead letter has id '\(id)' (see `dead-letters list`); nothing was changed"
        }
    }
}
