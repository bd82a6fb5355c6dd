import Hummingbird
import HTTPService
import Message
import Resilience

/// `GET /stats`: the dashboard's numbers. Answers 200 even when one source is down, with that
/// source's figures null and marked "unavailable", so the page can show what it has.
struct StatsController<Context: RequestContext>: Sendable {
    let queue: any QueueInspecting
    let counts: any CountReading
    /// The name public answers give for this instance (not the machine's host name).
    let instanceName: String
    let requestTimeout: Duration

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("stats", use: stats)
    }

    @Sendable func stats(request: Request, context: Context) async -> Response {
        let deadline = Deadline.after(requestTimeout)
        async let depthsOrNil = try? queue.depths(deadline: deadline)
        async let summaryOrNil = try? counts.summary(deadline: deadline)
        let (depths, summary) = await (depthsOrNil, summaryOrNil)
        let body = JSONText.object([
            "rows_count": JSONText.integer(summary?.rowsCount),
            "latest_value": JSONText.integer(summary?.latestValue),
            "latest_inserted_at_ms": JSONText.integer(summary?.latestInsertedAtMilliseconds),
            "latest_lag_ms": JSONText.integer(summary?.latestLagMilliseconds),
            "queue_depth": JSONText.integer(depths?.queued),
            "processing_depth": JSONText.integer(depths?.processing),
            "dead_letter_depth": JSONText.integer(depths?.deadLettered),
            "consumers": JSONText.integer(depths.map { Int64($0.consumers) }),
            "oldest_queued_age_ms": JSONText.integer(depths?.oldestEnqueuedAtMilliseconds.map { Int64(UnixTime.milliseconds()) - Int64($0) }),
            // Consumers whose batch has kept failing past STUCK_BATCH_AFTER_MS, and for how long the first of them.
            "stuck_batches": JSONText.integer(depths.map { Int64($0.stuckSinceMilliseconds.count) }),
            "stuck_for_ms": JSONText.integer(depths?.stuckSinceMilliseconds.min().map { Int64(UnixTime.milliseconds()) - Int64($0) }),
            // Paused by an operator (`Consumer queue pause`): Consumers take no new batch; values still queue.
            "paused": depths.map { $0.pausedSinceMilliseconds == nil ? "false" : "true" } ?? "null",
            "paused_since_ms": JSONText.integer(depths?.pausedSinceMilliseconds.map { Int64($0) }),
            "hostname": JSONText.quoted(instanceName),
            "server_time_ms": String(UnixTime.milliseconds()),
            "sources": JSONText.object([
                "redis": depths == nil ? "\"unavailable\"" : "\"ok\"",
                "database": summary == nil ? "\"unavailable\"" : "\"ok\"",
            ]),
        ])
        return .json(body)
    }
}
