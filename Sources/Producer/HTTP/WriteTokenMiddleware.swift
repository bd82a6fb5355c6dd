import Hummingbird

/// With WRITE_TOKEN set, the routes behind this middleware need `Authorization: Bearer <token>`.
/// A missing and a wrong token are told apart (the page asks again only after a wrong one); the
/// check is `BearerToken`'s, the admin token's too.
struct WriteTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: BearerToken

    init(token: String) {
        self.token = BearerToken(token)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch token.check(request.headers[.authorization]) {
        case .missing:
            throw Self.refusal("write_token_required", "this server needs a write token to accept values: send Authorization: Bearer <token>")
        case .wrong:
            context.logger.info("write token refused")
            throw Self.refusal("write_token_invalid", "the write token is not the one this server expects; nothing was stored")
        case .accepted:
            return try await next(request, context)
        }
    }

    private static func refusal(_ code: String, _ message: String) -> APIError {
        RejectionReason.writeToken.count()
        return APIError(status: .unauthorized, code: code, message: message,
                 headers: [.wwwAuthenticate: #"Bearer realm="count-pipeline""#])
    }
}
