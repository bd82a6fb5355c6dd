import ServiceLifecycle

/// Writes a program's gathered history counts once a second, in one pipeline: the push and insert
/// paths only add to counters in memory, so history costs them no round trip, and a flood of
/// requests or batches costs Redis nothing extra. A last write follows at shutdown; the programs
/// shut it down after their waiting pushes or ingest loop have drained.
public struct HistoryFlusher: Service {
    let history: HistoryRecorder
    let interval: Duration

    public init(history: HistoryRecorder, interval: Duration = .seconds(1)) {
        self.history = history
        self.interval = interval
    }

    public func run() async throws {
        while (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: interval) })) != nil, !Task.isShuttingDownGracefully {
            // Cut short when shutdown reaches this service (its counts are kept for the last write
            // below): a periodic write waiting on a silent Redis must not add its second to SIGTERM's.
            _ = await cancelWhenGracefulShutdown { await history.flush(deadline: .after(.seconds(1))) }
        }
        // A quarter of a second: this runs after the grace the drain had, and SIGTERM's whole budget
        // (the Consumer's SHUTDOWN_GRACE_MS, ECS's stopTimeout) must hold when Redis does not answer.
        await history.flush(deadline: .after(.milliseconds(250)))
    }
}
