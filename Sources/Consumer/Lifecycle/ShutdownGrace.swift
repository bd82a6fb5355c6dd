import ServiceLifecycle

/// SIGTERM's rule for the batch in hand: once graceful shutdown begins, it has `grace`
/// (`SHUTDOWN_GRACE_MS`) to be committed and acknowledged; then the work is cancelled. Nothing is
/// lost that way: an uncommitted batch stays in the consumer's processing list in Redis, where
/// another consumer reclaims it, and a batch committed but not acknowledged is recognised by its
/// message ids when it comes round again.
enum ShutdownGrace {
    /// Runs `work`; true if it ended by itself, false if the grace ran out and it was cancelled.
    static func run(grace: Duration, _ work: @escaping @Sendable () async throws -> Void) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await work()
                return true
            }
            group.addTask {
                try await gracefulShutdown()
                try await Task.sleep(for: grace)
                return false
            }
            defer { group.cancelAll() }
            do {
                return try await group.next() ?? true
            } catch is CancellationError where Task.isShuttingDownGracefully {
                // The work was cancelled first (it stops early once shutdown begins and nothing is in hand).
                return true
            }
        }
    }
}
