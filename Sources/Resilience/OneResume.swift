import Synchronization

/// A continuation resumed by whichever comes first (an awaited result, a cancellation, a shutdown),
/// exactly once; later resumes are dropped. Lets a caller stop waiting for work that goes on.
public final class OneResume<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

    public init() {}

    public func hold(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    public func resume(returning value: Value) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
