import Hummingbird
import Prometheus

/// The routes of an operations port, for machines inside the network only: `/health` (alive, no
/// I/O), `/ready` (every dependency answers; names what failed, with the server's error text) and
/// `/metrics` (Prometheus). The Producer serves them on OPS_HTTP_PORT, the Consumer on
/// CONSUMER_HTTP_PORT; none of them is on a public port.
public func buildProbesAndMetricsRouter(probes: Probes, metrics: PrometheusCollectorRegistry?) -> Router<BasicRequestContext> {
    let router = Router()
    if let metrics {
        router.get("metrics") { _, _ in Response.prometheus(metrics) }
    }
    probes.addRoutes(to: router.group())
    return router
}
