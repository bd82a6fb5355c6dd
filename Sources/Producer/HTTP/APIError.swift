import Hummingbird
import Logging
import NIOHTTP1
import Message
import Observability

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
/// 413, ...) with a code and message of ours, anything else as a 500 without internals. Every
/// error answer has a log line under the request's id (Hummingbird's `hb.request.id`, which the
/// answer carries as X-Request-Id): with the detail the answer leaves out, at warning for a 5xx
/// (a 5xx that repeats, as every request does while a dependency is down, once per
/// `RepeatedWarnings` interval with the count left out; those left out at debug);
/// at debug for a client's mistake, whose message already says everything (a flood of bad
/// requests must not become a flood of log lines).
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// A dependency that is down fails every request alike: each error code's warning is logged
    /// once per interval (the first request's id, then how many were left out), the others at debug.
    let failures = RepeatedWarnings(logger: Logger(label: "Producer"))

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let answer: APIError
        do {
            return try await next(request, context)
        } catch let error as APIError {
            answer = error
        } catch let error as any HTTPResponseError {
            answer = Self.translate(error.status, request: request)
        } catch let error as HTTPParserError {
            // The body could not be decoded (a bad chunk, or the client hung up mid-body): the client's fault.
            var refusal = APIError.badRequest("malformed_request", "the request body could not be read: its framing (chunks or Content-Length) is broken")
            refusal.detail = "\(error)"
            answer = refusal
        } catch {
            answer = APIError(
                status: .internalServerError, code: "internal_error",
                message: "internal error; the server log has the details under this answer's X-Request-Id",
                detail: String(reflecting: error))
        }
        log(answer, request: request, logger: context.logger)
        return try answer.response(from: request, context: context)
    }

    func log(_ answer: APIError, request: Request, logger: Logger) {
        // The path as a quoted literal: a control character in it cannot forge a log line.
        var metadata: Logger.Metadata = [
            "status": "\(answer.status.code)", "error": "\(answer.code)", "method": "\(request.method)",
            "path": "\(request.uri.path.debugDescription)",
        ]
        if let detail = answer.detail { metadata["detail"] = "\(detail)" }
        switch answer.status.code {
        case 500: logger.error("unhandled error", metadata: metadata)
        case 501...:
            if !failures.warning("request failed", kind: answer.code, metadata: metadata, via: logger) {
                logger.debug("request failed", metadata: metadata)
            }
        default: logger.debug("request refused", metadata: metadata)
        }
    }

    static func translate(_ status: HTTPResponse.Status, request: Request) -> APIError {
        switch status {
        case .notFound:
            APIError(status: status, code: "not_found",
                     message: "no route for \(request.method) \(request.uri.path); routes: POST /count, GET /count, GET /stats, GET /history, GET /health (also under /api/; /admin/... where enabled)")
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
