import ArgumentParser
import Hummingbird
import Logging
import HTTPService
import Observability
import Redis
import Secrets
import Settings

@main
struct ConsumerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "Consumer",
        abstract: "Moves queued /count values from Redis into MariaDB/MySQL, in batches, exactly once.",
        discussion: "Configured by environment variables (REDIS_HOST, DB_HOST, ...); every variable is in docs/configuration.md.",
        subcommands: [
            Run.self, HealthCheckCommand<ConsumerProbe>.self, DatabaseSetupCommand.self, DeadLettersCommand.self, QueueCommand.self,
        ],
        defaultSubcommand: Run.self)
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Consume the queue until SIGTERM (default).")

    func run() async throws {
        let (read, secretsSettings) = try loadConfiguration { env throws(ConfigurationError) in
            (try ConsumerConfiguration(environment: env), try SecretsSettings.read(from: env))
        }
        var configuration = read
        configuration.log.bootstrap()
        let metrics = MetricsSetup.bootstrap()
        let logger = Logger(label: "Consumer")
        let secrets = await LoadedSecrets.readOrExit(secretsSettings, logger: logger)
        try loadConfiguration { env throws(ConfigurationError) in
            try secrets.apply(to: &configuration.database, env: env)
            secrets.apply(to: &configuration.redis)
        }
        logger.info("starting", metadata: [
            "consumer": "\(configuration.consumerID)", "redis": "\(configuration.redis.endpointDescription)",
            "queue": "\(configuration.queue.name)", "database": "\(configuration.database.endpointDescription)",
            "batch_size": "\(configuration.batchSize)", "http": "\(configuration.httpHost):\(configuration.httpPort)",
        ])
        if let warning = configuration.database.plainTextWarning { logger.warning("\(warning)") }
        await exitIfRedisRefuses(configuration.redis, logger: logger)
        try await buildConsumer(configuration, secrets: secrets, logger: logger, metrics: metrics).runService()
    }
}

enum ConsumerProbe: HealthCheckedProgram {
    static let name = "Consumer"
    static let portVariable = "CONSUMER_HTTP_PORT"
    static let defaultPort = 5081
}
