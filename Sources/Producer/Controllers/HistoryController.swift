import Hummingbird
import HTTPService
import Queue

/// `GET /history?window=1h|24h|7d|90d`: the counters the programs keep in Redis, as series with their
/// step, so the dashboard's charts show the past the moment the page opens.
struct HistoryController<Context: RequestContext>: Sendable {
    let history: HistoryReader
    let requestTimeout: Duration

    func addRoutes(to group: RouterGroup<Context>) {
        group.get("history", use: series)
    }

    @Sendable func series(request: Request, context: Context) async throws -> Response {
        let name = request.uri.queryParameters["window"].map(String.init) ?? HistoryWindow.hour.rawValue
        guard let window = HistoryWindow(rawValue: name) else {
            throw APIError.badRequest(
                "invalid_window", "window must be one of \(HistoryWindow.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(name)\"")
        }
        do {
            return .json(try await history.series(window: window, deadline: .after(requestTimeout)).json)
        } catch {
            throw APIError.unavailable("history_unavailable", "the history (Redis) did not answer in time; retry later", detail: "\(error)")
        }
    }
}
