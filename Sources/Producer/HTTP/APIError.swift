import Hummingbird
import NIOHTTP1
import Shared

/// An error answered as `{"error": "<machine code>", "message": "<what was wrong and how to fix it>"}`.
/// The message is for the client and names no host, address, port or server error text; `detail`
/// holds those for the log line, which carries the same request id as the answer.
struct APIError: HTTPResponseError, Equatable {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    /// Seconds for `Retry-After` (429 and 503).
    var retryAfterSeconds: Int?
    /// Further headers of the answer (`WWW-Authenticate` on a 401).
    var headers: HTTPFields = [:]
    /// What only the log may know: the underlying error with its hosts and ports.
    var detail: String?

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// `{"error": <code>, "message": <message>}`.
    var body: String {
        JSONText.object(["error": JSONText.quoted(code), "message": JSONText.quoted(message)])
    }

    static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    static func unavailable(_ code: String, _ message: String, detail: String) -> APIError {
        APIError(status: .serviceUnavailable, code: code, message: message, retryAfterSeconds: 1, detail: detail)
    }
}

/// Answers every error as JSON, never HTML: API errors as they are, the framework's own (404, 405,
/// 413, ...) with a code and message of ours, anything else as a 500 without internals. Whatever
/// detail an answer leaves out goes to the log, under the request's id.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            if let detail = error.detail {
                context.logger.warning("request failed", metadata: [
                    "status": "\(error.status.code)", "error": "\(error.code)", "detail": "\(detail)",
                ])
            }
            return try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            return try Self.translate(error.status, request: request).response(from: request, context: context)
        } catch let error as HTTPParserError {
            // The body could not be decoded (a bad chunk, or the client hung up mid-body): the client's fault.
            context.logger.info("malformed request body", metadata: ["error": "\(error)"])
            return try APIError.badRequest("malformed_request", "the request body could not be read: its framing (chunks or Content-Length) is broken")
                .response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return try APIError(status: .internalServerError, code: "internal_error", message: "internal error; the server log has the details under this answer's X-Request-Id")
                .response(from: request, context: context)
        }
    }

    static func translate(_ status: HTTPResponse.Status, request: Request) -> APIError {
        switch status {
        case .notFound:
            APIError(status: status, code: "not_found",
                     message: "no route for \(request.method) \(request.uri.path); routes: POST /count, GET /count, GET /stats, GET /health (also under /api/)")
        case .methodNotAllowed:
            APIError(status: status, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.uri.path)")
        case .badRequest:
            APIError(status: status, code: "bad_request", message: "the request path or headers are malformed")
        case .contentTooLarge:
            APIError(status: status, code: "body_too_large", message: "the request body is larger than this server accepts; send {\"count\": <integer>}")
        default:
            APIError(status: status, code: "http_\(status.code)", message: status.reasonPhrase)
        }
    }
}
