import ArgumentParser
import Hummingbird
import Logging
import Shared

@main
struct ProducerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Producer",
        abstract: "HTTP API that validates /count values and queues them on Redis.",
        discussion: "Configured by environment variables (HTTP_PORT, REDIS_HOST, DB_HOST, ...); see README.md.",
        subcommands: [Serve.self, HealthCheck.self],
        defaultSubcommand: Serve.self)
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the HTTP server (default).")

    func run() async throws {
        let configuration = try loadConfiguration(ProducerConfiguration.init(environment:))
        configuration.log.bootstrap()
        let metrics = MetricsSetup.bootstrap()
        let logger = Logger(label: "Producer")
        logger.info("starting", metadata: [
            "http": "\(configuration.httpHost):\(configuration.httpPort)",
            "redis": "\(configuration.redis.endpointDescription)", "queue": "\(configuration.redis.queue)",
            "database": "\(configuration.database.endpointDescription)",
        ])
        try await buildApplication(configuration, logger: logger, metrics: metrics).runService()
    }
}

struct HealthCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck", abstract: "Exit 0 if this host's Producer answers GET /health, else 1 (for container HEALTHCHECK).")

    @Option(help: "URL to probe; default http://127.0.0.1:$HTTP_PORT/health.")
    var url: String?

    func run() async throws {
        let port = try loadConfiguration { env throws(ConfigurationError) in try env.port("HTTP_PORT", default: 5080) }
        try runHealthCheck(url: url ?? "http://127.0.0.1:\(port)/health")
    }
}
