import Curl
import Synchronization

@testable import Secrets

/// A transport that answers from a script and records what it was asked; no network.
final class FakeTransport: HTTPTransport {
    typealias Answer = @Sendable (HTTPRequest) throws -> HTTPResponse
    private let answer: Answer
    private let seen = Mutex<[HTTPRequest]>([])

    init(_ answer: @escaping Answer) {
        self.answer = answer
    }

    var requests: [HTTPRequest] { seen.withLock { $0 } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        seen.withLock { $0.append(request) }
        return try answer(request)
    }

    static func json(_ status: Int, _ body: String, headers: [String: String] = [:]) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Array(body.utf8))
    }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
}

/// Wall-clock Unix seconds the test moves by hand.
final class ManualWallClock: Sendable {
    private let seconds: Mutex<Int64>
    init(_ start: Int64) { seconds = Mutex(start) }
    var now: Int64 { seconds.withLock { $0 } }
    func advance(_ by: Int64) { seconds.withLock { $0 += by } }
}

/// Counts calls and answers from a list of results (the last repeats).
final class ScriptedFetch<Value: Sendable>: Sendable {
    private let results: Mutex<[Result<Value, SecretFetchError>]>
    private let count = Mutex(0)

    init(_ results: [Result<Value, SecretFetchError>]) {
        self.results = Mutex(results)
    }

    var calls: Int { count.withLock { $0 } }

    func next() throws(SecretFetchError) -> Value {
        count.withLock { $0 += 1 }
        let result = results.withLock { results in results.count > 1 ? results.removeFirst() : results[0] }
        return try result.get()
    }
}

/// Answers the first fetch (the start) with `value`; every later fetch calls `onWait`, then waits
/// until `release()`: a Secrets Manager that stops answering once the program runs.
final class SilentAfterStart<Value: Sendable>: Sendable {
    private let value: Value
    private let count = Mutex(0)
    private let ended = Mutex(false)
    private let onWait = Mutex<(@Sendable () -> Void)?>(nil)
    private let answer: AsyncStream<Void>
    private let answering: AsyncStream<Void>.Continuation

    init(_ value: Value) {
        self.value = value
        (answer, answering) = AsyncStream<Void>.makeStream()
    }

    var calls: Int { count.withLock { $0 } }
    /// Whether a fetch that waited has returned.
    var waitEnded: Bool { ended.withLock { $0 } }

    func whenWaiting(_ action: @escaping @Sendable () -> Void) { onWait.withLock { $0 = action } }
    func release() { answering.finish() }

    func next() async throws(SecretFetchError) -> Value {
        guard count.withLock({ $0 += 1; return $0 }) > 1 else { return value }
        onWait.withLock { $0 }?()
        for await _ in answer {}
        ended.withLock { $0 = true }
        return value
    }
}
