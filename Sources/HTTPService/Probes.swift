import Hummingbird
import Message
import Resilience

/// The liveness and readiness answers both programs give: `/health` does no I/O; `/ready` runs
/// every check concurrently within one deadline and answers 503 naming what failed.
public struct Probes: Sendable {
    public typealias Check = @Sendable (Deadline) async throws -> Void
    /// A look at the program's own state (no I/O): nil when fine, else what is wrong.
    public typealias StateCheck = @Sendable () -> String?

    let program: String
    let hostname: String
    let timeout: Duration
    let redis: Check
    let database: Check
    let ownState: [String: StateCheck]

    public init(
        program: String, hostname: String, timeout: Duration, redis: @escaping Check, database: @escaping Check,
        ownState: [String: StateCheck] = [:]
    ) {
        self.program = program
        self.hostname = hostname
        self.timeout = timeout
        self.redis = redis
        self.database = database
        self.ownState = ownState
    }

    public func addRoutes<Context: RequestContext>(to group: RouterGroup<Context>) {
        group.get("health") { _, _ in health() }
        group.get("ready") { _, _ in await ready() }
    }

    public func health() -> Response {
        .json(JSONText.object([
            "status": "\"healthy\"", "message": JSONText.quoted("\(program) is running"), "hostname": JSONText.quoted(hostname),
        ]))
    }

    public func ready() async -> Response {
        let deadline = Deadline.after(timeout)
        async let redisProblem = Self.problem { try await redis(deadline) }
        async let databaseProblem = Self.problem { try await database(deadline) }
        var problems = ownState.mapValues { $0() }
        (problems["redis"], problems["database"]) = await (redisProblem, databaseProblem)
        let ready = problems.values.allSatisfy { $0 == nil }
        var response = Response.json(
            JSONText.object([
                "status": ready ? "\"ready\"" : "\"unavailable\"",
                "checks": JSONText.object(problems.sorted { $0.key < $1.key }.map { ($0.key, JSONText.quoted($0.value ?? "ok")) }),
                "hostname": JSONText.quoted(hostname),
            ]), status: ready ? .ok : .serviceUnavailable)
        if !ready { response.headers[.retryAfter] = "1" }
        return response
    }

    /// nil when the check passes, else what went wrong.
    private static func problem(_ check: () async throws -> Void) async -> String? {
        do {
            try await check()
            return nil
        } catch {
            return "\(error)"
        }
    }
}
