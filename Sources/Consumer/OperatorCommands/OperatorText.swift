import Message
import Queue

/// The CLI's text output: short lines a person reads in a terminal or a task's log.
enum OperatorText {
    /// Characters of `raw` shown in a list line.
    static let previewLength = 60

    static func time(_ milliseconds: UInt64?) -> String {
        milliseconds.map { UnixTime.iso8601(milliseconds: $0) } ?? "-"
    }

    static func summary(_ summary: DeadLetterSummary) -> String {
        var lines = ["dead letters: \(summary.total) (evicted so far: \(summary.evicted))"]
        guard summary.total > 0 else { return lines.joined(separator: "\n") }
        lines.append("oldest: \(time(summary.oldestMilliseconds))  newest: \(time(summary.newestMilliseconds))")
        lines.append("by kind:")
        lines += summary.byKind.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "  \(padded($0.key, 22)) \($0.value)" }
        lines.append("by reason:")
        lines += summary.reasons.map { "  \(padded(String($0.count), 7)) \(padded($0.kind, 22)) \($0.reason)" }
        return lines.joined(separator: "\n")
    }

    static func list(_ records: [DeadLetterRecord]) -> String {
        guard !records.isEmpty else { return "no dead letters" }
        return records.map { record in
            "\(time(record.timestampMilliseconds))  \(padded(record.kind, 22)) \(record.id)  deliveries=\(record.deliveries.map(String.init) ?? "-")  raw=\(preview(record.raw))"
        }.joined(separator: "\n")
    }

    static func record(_ record: DeadLetterRecord) -> String {
        [
            "id:         \(record.id)", "kind:       \(record.kind)", "reason:     \(record.reason)",
            "time:       \(time(record.timestampMilliseconds))", "consumer:   \(record.consumer ?? "-")",
            "deliveries: \(record.deliveries.map(String.init) ?? "-")", "raw:        \(record.raw)",
        ].joined(separator: "\n")
    }

    static func taken(_ result: DeadLetterTakeResult, verb: String, selector: DeadLetterSelector, dryRun: Bool) -> String {
        var lines = ["\(verb) \(result.taken) dead letter\(result.taken == 1 ? "" : "s") (\(selector))"]
        lines += result.ids.prefix(20).map { "  \($0)" }
        if result.ids.count > 20 { lines.append("  ... and \(result.ids.count - 20) more") }
        if dryRun { lines.append("dry run: nothing was changed") }
        return lines.joined(separator: "\n")
    }

    static func status(_ depths: QueueDepths, queue: String) -> String {
        let state = depths.pausedSinceMilliseconds.map { "paused since \(time($0))" } ?? "running"
        return "queue \(queue): \(state)\n"
            + "queued: \(depths.queued)  processing: \(depths.processing)  dead letters: \(depths.deadLettered)  consumers: \(depths.consumers)"
    }

    static func preview(_ raw: String) -> String {
        raw.count <= previewLength ? raw : String(raw.prefix(previewLength)) + "…"
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
