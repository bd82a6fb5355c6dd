import Metrics
import Observability

/// Why the public port turned a client away, counted in `count_pipeline_rejected_total{reason}`
/// beside the queue's own `high_water`, so an operator sees floods, drips and bad tokens.
enum RejectionReason: String, CaseIterable {
    case tooManyConnections = "too_many_connections"
    case requestTimeout = "request_timeout"
    case headersTooLarge = "headers_too_large"
    case malformedRequest = "malformed_request"
    case rateLimited = "rate_limited"
    case writeToken = "write_token"

    func count() {
        Self.counters[self]?.increment()
    }

    private static let counters = Dictionary(uniqueKeysWithValues: allCases.map { reason in
        (reason, Counter(label: MetricName.rejected, dimensions: [("reason", reason.rawValue)]))
    })
}
