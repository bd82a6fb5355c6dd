import Hummingbird

/// Rejects paths whose decoded form holds a NUL or another control character before the file
/// middleware sees them: the file system would stop reading at the NUL and serve another file
/// (`/index.html%00.json` as `index.html` with a JSON content type).
struct PathGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let decoded = request.uri.path.removingPercentEncoding ?? request.uri.path
        guard !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw APIError.badRequest("invalid_path", "the request path contains a control character")
        }
        return try await next(request, context)
    }
}
