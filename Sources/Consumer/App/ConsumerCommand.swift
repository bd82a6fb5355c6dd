import ArgumentParser
import Hummingbird
import Logging
import Shared

@main
struct ConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Consumer",
        abstract: "Moves queued /count values from Redis into MariaDB/MySQL, in batches, exactly once.",
        discussion: "Configured by environment variables (REDIS_HOST, DB_HOST, ...); see README.md.",
        subcommands: [Run.self, HealthCheck.self, DatabaseSetupCommand.self],
        defaultSubcommand: Run.self)
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Consume the queue until SIGTERM (default).")

    func run() async throws {
        let configuration = try loadConfiguration(ConsumerConfiguration.init(environment:))
        configuration.log.bootstrap()
        let metrics = MetricsSetup.bootstrap()
        let logger = Logger(label: "Consumer")
        logger.info("starting", metadata: [
            "consumer": "\(configuration.consumerID)", "redis": "\(configuration.redis.endpointDescription)",
            "queue": "\(configuration.redis.queue)", "database": "\(configuration.database.endpointDescription)",
            "batch_size": "\(configuration.batchSize)", "http": "\(configuration.httpHost):\(configuration.httpPort)",
        ])
        try await buildConsumer(configuration, logger: logger, metrics: metrics).runService()
    }
}

struct HealthCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck", abstract: "Exit 0 if this host's Consumer answers GET /health, else 1 (for container HEALTHCHECK).")

    @Option(help: "URL to probe; default http://127.0.0.1:$CONSUMER_HTTP_PORT/health.")
    var url: String?

    func run() async throws {
        let port = try loadConfiguration { env throws(ConfigurationError) in try env.port("CONSUMER_HTTP_PORT", default: 5081) }
        try runHealthCheck(url: url ?? "http://127.0.0.1:\(port)/health")
    }
}
