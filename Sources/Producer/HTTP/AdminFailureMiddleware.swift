import Hummingbird
import Queue
import Redis

/// Turns what the shared queue operations throw into the API's errors: an id that names no dead
/// letter is a 404, a Redis that does not answer a 503 (with the detail in the log, not the answer).
struct AdminFailureMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as QueueOperationError {
            throw APIError(status: .notFound, code: "unknown_id", message: error.description)
        } catch let error as RedisError {
            throw APIError.unavailable(
                "queue_unavailable", "the queue (Redis) did not answer in time; nothing more was changed, retry later", detail: "\(error)")
        }
    }
}
