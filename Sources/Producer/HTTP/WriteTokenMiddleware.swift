import Hummingbird

/// With WRITE_TOKEN set, the routes behind this middleware need `Authorization: Bearer <token>`.
/// A missing and a wrong token are told apart (the page asks again only after a wrong one), and the
/// comparison takes the same time however much of the token matches.
struct WriteTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: [UInt8]

    init(token: String) {
        self.token = Array(token.utf8)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let presented = Self.bearer(request.headers[.authorization]) else {
            throw Self.refusal("write_token_required", "this server needs a write token to accept values: send Authorization: Bearer <token>")
        }
        guard Self.constantTimeEqual(Array(presented.utf8), token) else {
            context.logger.info("write token refused")
            throw Self.refusal("write_token_invalid", "the write token is not the one this server expects; nothing was stored")
        }
        return try await next(request, context)
    }

    /// The credentials of `Bearer <credentials>` (the scheme in any case), or nil.
    static func bearer(_ header: String?) -> Substring? {
        guard let header, let space = header.firstIndex(of: " ") else { return nil }
        guard header[..<space].lowercased() == "bearer" else { return nil }
        let credentials = header[header.index(after: space)...].drop { $0 == " " }
        return credentials.isEmpty ? nil : credentials
    }

    /// Equality whose time depends only on the expected token's length, never on where the first
    /// difference is.
    static func constantTimeEqual(_ presented: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: presented.count ^ expected.count)
        for index in expected.indices {
            difference |= expected[index] ^ (index < presented.count ? presented[index] : 0)
        }
        return difference == 0
    }

    private static func refusal(_ code: String, _ message: String) -> APIError {
        Refusal.writeToken.count()
        return APIError(status: .unauthorized, code: code, message: message,
                 headers: [.wwwAuthenticate: #"Bearer realm="count-pipeline""#])
    }
}
