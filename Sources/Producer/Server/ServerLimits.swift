import Settings

/// How much of the server one client may hold: how long a request may take to arrive, how long an
/// idle connection stays, how big the headers may be and how many connections are open at once.
struct ServerLimits: Sendable, Equatable {
    /// A request must arrive whole (head and body) this long after its first byte, or it gets a 408.
    var requestReadTimeout: Duration = .milliseconds(10_000)
    /// A connection that sends nothing this long is closed (an idle keep-alive).
    /// Longer than the AWS ALB's 60 s idle timeout, so the ALB, not the server, closes idle connections.
    var idleTimeout: Duration = .seconds(75)
    /// Request line plus headers above this size get a 431.
    var maxHeaderBytes = 16_384
    /// Connections beyond this many are answered 503 and closed at once.
    var maxConnections = 4096

    init() {}

    init(from env: EnvironmentReader) throws(ConfigurationError) {
        requestReadTimeout = try env.milliseconds("REQUEST_READ_TIMEOUT_MS", default: 10_000, in: 100...300_000)
        idleTimeout = try env.milliseconds("HTTP_IDLE_TIMEOUT_MS", default: 75_000, in: 1000...3_600_000)
        maxHeaderBytes = try env.integer("MAX_HEADER_BYTES", default: maxHeaderBytes, in: 1024...65_536)
        maxConnections = try env.integer("MAX_CONNECTIONS", default: maxConnections, in: 1...1_000_000)
    }
}
