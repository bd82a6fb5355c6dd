import NIOPosix
import Synchronization

/// Sends requests from async code: every libcurl call runs on this client's own thread (never an
/// event loop, never the cooperative pool), on one easy handle kept for the next request.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

public final class HTTPClient: HTTPTransport {
    private let thread: NIOThreadPool
    /// Made on first use and kept; only the client's one thread touches it.
    private let easy = Mutex<CurlEasy?>(nil)

    public init() {
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await thread.runIfActive { [self] in
            try self.easy.withLock { easy throws(CurlError) in
                if easy == nil { easy = try CurlEasy() }
                return try easy!.perform(request)
            }
        }
    }

    /// Stops taking requests. One in flight is not awaited: it ends on the client's thread within
    /// its own timeout, so a shutdown never waits for a slow server. The handle is freed with the client.
    public func shutdown() {
        thread.shutdownGracefully { _ in }
    }
}
