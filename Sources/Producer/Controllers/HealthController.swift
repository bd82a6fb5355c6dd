import Hummingbird
import Shared

/// `GET /health` (alive: no I/O) and `GET /ready` (Redis and MariaDB both answer).
struct HealthController<Context: RequestContext>: Sendable {
    let queue: any QueueInspecting
    let counts: any CountReading
    let hostname: String
    let requestTimeout: Duration

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("health", use: health)
        group.get("ready", use: ready)
    }

    @Sendable func health(request: Request, context: Context) -> Response {
        .json(JSONText.object([
            "status": "\"healthy\"", "message": "\"Producer is running\"", "hostname": JSONText.quoted(hostname),
        ]))
    }

    @Sendable func ready(request: Request, context: Context) async -> Response {
        let deadline = Deadline.after(requestTimeout)
        async let redis = Self.probe { try await queue.ping(deadline: deadline) }
        async let database = Self.probe { _ = try await counts.summary(deadline: deadline) }
        let (redisProblem, databaseProblem) = await (redis, database)
        let ready = redisProblem == nil && databaseProblem == nil
        let body = JSONText.object([
            "status": ready ? "\"ready\"" : "\"unavailable\"",
            "checks": JSONText.object([
                "redis": JSONText.quoted(redisProblem ?? "ok"), "database": JSONText.quoted(databaseProblem ?? "ok"),
            ]),
            "hostname": JSONText.quoted(hostname),
        ])
        var response = Response.json(body, status: ready ? .ok : .serviceUnavailable)
        if !ready { response.headers[.retryAfter] = "1" }
        return response
    }

    /// nil when the check passes, else what went wrong.
    private static func probe(_ check: () async throws -> Void) async -> String? {
        do {
            try await check()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
