import Hummingbird

/// Rejects paths whose decoded form holds a NUL or another control character before the file
/// middleware sees them: the file system would stop reading at the NUL and serve another file
/// (`/index.html%00.json` as `index.html` with a JSON content type).
struct PathGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !Self.hasControlCharacter(request.uri.path) else {
            throw APIError.badRequest("invalid_path", "the request path contains a control character")
        }
        return try await next(request, context)
    }

    /// Whether the path, raw or percent-decoded (`%00`), holds a byte below 0x20 or DEL.
    static func hasControlCharacter(_ path: String) -> Bool {
        let bytes = Array(path.utf8)
        var index = 0
        while index < bytes.count {
            var byte = bytes[index]
            if byte == UInt8(ascii: "%"), index + 2 < bytes.count, let decoded = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16) {
                byte = decoded
                index += 2
            }
            if byte < 0x20 || byte == 0x7F { return true }
            index += 1
        }
        return false
    }
}
