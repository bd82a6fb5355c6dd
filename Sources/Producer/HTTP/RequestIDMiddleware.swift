import HTTPTypes
import Hummingbird

/// Puts the request's id on its answer as `X-Request-Id`: the same id Hummingbird gives the
/// request's log lines (`hb.request.id`), so a client's report finds the full detail in the log.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers.append(HTTPField(name: .requestID, value: context.id))
        return response
    }
}
