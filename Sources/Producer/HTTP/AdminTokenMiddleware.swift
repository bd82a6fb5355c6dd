import Hummingbird
import Shared

/// Lets a request into `/admin/...` only with `Authorization: Bearer <ADMIN_TOKEN>`, checked by
/// `BearerToken` (constant time, the scheme in any case) like the write token.
struct AdminTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: BearerToken

    init(token: String) {
        self.token = BearerToken(token)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard token.check(request.headers[.authorization]) == .accepted else {
            throw APIError(
                status: .unauthorized, code: "admin_token_required",
                message: "admin routes need the header Authorization: Bearer <ADMIN_TOKEN>")
        }
        return try await next(request, context)
    }
}
