import Hummingbird
import Queue

/// Counts refused `POST /count`s into the history, by reason. Outside the JSON error middleware, so
/// it sees every refusal as the status the client got. Counts only gather here; `HistoryFlusher`
/// writes them, so a flood of bad requests costs Redis nothing extra per request.
struct RejectionHistoryMiddleware<Context: RequestContext>: RouterMiddleware {
    let history: HistoryRecorder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        if response.status.code >= 400, request.method == .post, request.uri.path.hasSuffix("/count") {
            history.add(HistoryField.rejected(Self.reason(response.status)), 1)
        }
        return response
    }

    static func reason(_ status: HTTPResponse.Status) -> String {
        switch status {
        case .badRequest: "invalid"
        case .contentTooLarge: "too_large"
        case .unsupportedMediaType: "wrong_content_type"
        case .tooManyRequests: "queue_full"
        case .serviceUnavailable: "unavailable"
        default: "http_\(status.code)"
        }
    }
}
