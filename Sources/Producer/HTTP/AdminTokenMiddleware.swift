import Hummingbird

/// Lets a request into `/admin/...` only with `Authorization: Bearer <ADMIN_TOKEN>`. The token is
/// compared in constant time, so the time an answer takes says nothing about how much of a guess was right.
struct AdminTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), Self.constantTimeEqual(Array(header.utf8.dropFirst(prefix.utf8.count)), token) else {
            throw APIError(
                status: .unauthorized, code: "admin_token_required",
                message: "admin routes need the header Authorization: Bearer <ADMIN_TOKEN>")
        }
        return try await next(request, context)
    }

    /// Looks at every byte of the longer input whatever differs, and folds a length difference in.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt(given.count ^ expected.count)
        for index in 0..<max(given.count, expected.count) {
            let left = index < given.count ? given[index] : 0
            let right = index < expected.count ? expected[index] : 0
            difference |= UInt(left ^ right)
        }
        return difference == 0
    }
}
