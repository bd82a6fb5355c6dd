import Hummingbird
import Prometheus
import Observability

extension Response {
    /// A JSON response from an already-encoded body.
    public static func json(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The Prometheus text exposition of `registry`.
    public static func prometheus(_ registry: PrometheusCollectorRegistry) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: registry.exposition())))
    }
}
