// HTTPService: what both programs serve over HTTP, and how a container checks it.
//
// `/health` and `/ready` (`Probes`), JSON and Prometheus responses (`Responses`), the operations
// router, and the `healthcheck` subcommand with its probe (`HealthProbe`, through libcurl, for
// images without a curl binary).
