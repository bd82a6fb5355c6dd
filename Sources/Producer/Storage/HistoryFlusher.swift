import ServiceLifecycle
import Shared

/// Writes the Producer's gathered history counts every second, so rejections are recorded even while
/// nothing is pushed, and once more at shutdown, after the server and the push workers have drained.
struct HistoryFlusher: Service {
    let history: HistoryRecorder
    var interval: Duration = .seconds(1)

    func run() async throws {
        while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil, !Task.isShuttingDownGracefully {
            await history.flush(deadline: .after(.seconds(1)))
        }
        await history.flush(deadline: .after(.seconds(1)))
    }
}
