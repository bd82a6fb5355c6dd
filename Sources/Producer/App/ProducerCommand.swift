import ArgumentParser
import Hummingbird
import Logging
import Shared
import SharedHTTP

@main
struct ProducerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Producer",
        abstract: "HTTP API that validates /count values and queues them on Redis.",
        discussion: "Configured by environment variables (HTTP_PORT, REDIS_HOST, DB_HOST, ...); every variable is in docs/configuration.md.",
        subcommands: [Serve.self, HealthCheckCommand<ProducerProbe>.self],
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
        if let warning = configuration.database.plainTextWarning { logger.warning("\(warning)") }
        await exitIfRedisRefuses(configuration.redis, logger: logger)
        try await buildApplication(configuration, logger: logger, metrics: metrics).runService()
    }
}

enum ProducerProbe: HealthCheckedProgram {
    static let name = "Producer"
    static let portVariable = "HTTP_PORT"
    static let defaultPort = 5080
}
