import Synchronization

/// `task`'s result, or nil as soon as the caller is cancelled, whichever comes first. The task
/// itself goes on: work shared by other waiters (a lane's one connect attempt), or work left to end
/// within its own timeout (a secret's fetch at shutdown), which the caller must not wait out.
/// Wrapped in ServiceLifecycle's `cancelWhenGracefulShutdown`, it also stops waiting at shutdown.
public func resultUnlessCancelled<Success: Sendable, Failure: Error>(
    of task: Task<Success, Failure>
) async -> Result<Success, Failure>? {
    let waiter = OneResume<Result<Success, Failure>?>()
    return await withTaskCancellationHandler {
        await withCheckedContinuation { continuation in
            waiter.hold(continuation)
            if Task.isCancelled { waiter.resume(returning: nil) }
            Task { waiter.resume(returning: await task.result) }
        }
    } onCancel: {
        waiter.resume(returning: nil)
    }
}

/// A continuation resumed exactly once, by whichever comes first; later resumes are dropped.
private final class OneResume<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

    func hold(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(returning value: Value) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
