import Hummingbird
import Logging
import HTTPService
import Message
import Queue

/// `/admin/...` (and `/api/admin/...`), served only when `ADMIN_TOKEN` is set: the CLI's actions
/// over HTTP, through the same `OperatorActions`, so they act alike and write the same audit line.
///
///     GET  admin/dead-letters/summary            GET  admin/dead-letters?kind=K&limit=N
///     GET  admin/dead-letters/{id}               POST admin/dead-letters/replay {"kind"|"id"|"all", "limit", "rate", "dry_run"}
///     POST admin/dead-letters/purge {"kind"|"id"|"all", "yes": true}
///     GET  admin/queue/status                    POST admin/queue/pause, POST admin/queue/resume
struct AdminController<Context: RequestContext>: Sendable {
    let operations: OperatorActions
    let queue: QueueShards
    let token: String
    let requestTimeout: Duration

    func addRoutes(to group: RouterGroup<Context>) {
        let admin = group.group("admin").add(middleware: AdminTokenMiddleware(token: token)).add(middleware: AdminFailureMiddleware())
        admin.get("dead-letters/summary") { _, _ -> Response in
            .json(try await operations.deadLetters.summary(deadline: .after(.seconds(30))).json)
        }
        admin.get("dead-letters", use: list)
        admin.get("dead-letters/{id}", use: show)
        admin.post("dead-letters/replay", use: replay)
        admin.post("dead-letters/purge", use: purge)
        admin.get("queue/status") { _, _ -> Response in .json(try await queue.depths(deadline: .after(requestTimeout)).statusJSON) }
        admin.post("queue/pause") { request, context -> Response in
            Self.changed(try await operations.pause(origin: Self.origin(request, context)), state: "paused")
        }
        admin.post("queue/resume") { request, context -> Response in
            Self.changed(try await operations.resume(origin: Self.origin(request, context)), state: "running")
        }
    }

    @Sendable func list(request: Request, context: Context) async throws -> Response {
        let kind = try request.uri.queryParameters["kind"].map { name throws(APIError) in
            guard let kind = DeadLetter.Kind(rawValue: String(name)) else { throw APIError.invalidAdminRequest("unknown kind '\(name)'") }
            return kind
        }
        let limit = request.uri.queryParameters["limit"].map { Int(String($0)) ?? 0 } ?? 20
        guard (1...1000).contains(limit) else { throw APIError.invalidAdminRequest("limit must be between 1 and 1000") }
        let records = try await operations.deadLetters.newest(kind: kind, limit: limit, deadline: .after(.seconds(30)))
        return .json(#"{"records":["# + records.map(\.json).joined(separator: ",") + "]}")
    }

    @Sendable func show(request: Request, context: Context) async throws -> Response {
        let id = try context.parameters.require("id")
        let records = try await operations.deadLetters.records(id: id, deadline: .after(.seconds(30)))
        guard !records.isEmpty else { throw QueueOperationError.unknownID(id) }
        return .json(#"{"records":["# + records.map(\.json).joined(separator: ",") + "]}")
    }

    @Sendable func replay(request: Request, context: Context) async throws -> Response {
        let body = try await AdminRequestBody(request)
        let selector = try body.selector()
        let limit = try body.positiveInteger("limit")
        let rate = try body.positiveInteger("rate")
        let dryRun = body.flag("dry_run")
        let result = try await operations.replay(
            selector, limit: limit, rate: rate, dryRun: dryRun, origin: Self.origin(request, context)
        )
        return .json(result.json(action: dryRun ? "dry_run" : "replay", selector: selector))
    }

    @Sendable func purge(request: Request, context: Context) async throws -> Response {
        let body = try await AdminRequestBody(request)
        let selector = try body.selector()
        guard body.flag("yes") else {
            throw APIError.invalidAdminRequest("purge deletes dead letters for good: send \"yes\": true to confirm (nothing was changed)")
        }
        let result = try await operations.purge(selector, origin: Self.origin(request, context))
        return .json(result.json(action: "purge", selector: selector))
    }

    private static func changed(_ changed: Bool, state: String) -> Response {
        .json(JSONText.object(["state": JSONText.quoted(state), "changed": changed ? "true" : "false"]))
    }

    /// Where an admin call came from, for the audit line: the client address the load balancer saw
    /// (X-Forwarded-For), the connection's peer where the context knows it, and the user agent.
    static func origin(_ request: Request, _ context: Context) -> String {
        var parts = ["http"]
        if let forwarded = request.headers[.init("X-Forwarded-For")!] { parts.append("forwarded_for=\(forwarded)") }
        if let peer = (context as? any RemoteAddressRequestContext)?.remoteAddress { parts.append("peer=\(peer)") }
        parts.append("user_agent=\(request.headers[.userAgent] ?? "-")")
        return parts.joined(separator: " ")
    }
}
