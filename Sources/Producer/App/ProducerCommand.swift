import ArgumentParser
import Hummingbird
import Logging
import HTTPService
import Observability
import Redis
import Secrets
import Settings

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
        let (read, secretsSettings) = try loadConfiguration { env throws(ConfigurationError) in
            let secrets = try SecretsSettings.read(from: env)
            let configuration = try ProducerConfiguration(environment: env)
            try OpenFileLimit.check(maxConnections: configuration.limits.maxConnections, openFiles: OpenFileLimit.raisedToHardLimit())
            return (configuration, secrets)
        }
        var configuration = read
        configuration.log.bootstrap()
        let metrics = MetricsSetup.bootstrap()
        let logger = Logger(label: "Producer")
        let secrets = await LoadedSecrets.readOrExit(secretsSettings, logger: logger)
        try loadConfiguration { env throws(ConfigurationError) in
            try secrets.apply(to: &configuration.database, env: env)
            secrets.apply(to: &configuration.redis)
        }
        logger.info("starting", metadata: [
            "http": "\(configuration.httpHost):\(configuration.httpPort)", "ops_http": "\(configuration.httpHost):\(configuration.opsHttpPort)",
            "instance": "\(InstanceName.current)", "hostname": "\(Host.name)",
            "redis": "\(configuration.redis.endpointDescription)", "queue": "\(configuration.queue.name)",
            "database": "\(configuration.database.endpointDescription)",
        ])
        if let warning = configuration.database.plainTextWarning { logger.warning("\(warning)") }
        await exitIfRedisRefuses(configuration.redis, logger: logger)
        try await buildApplication(configuration, secrets: secrets, logger: logger, metrics: metrics).runService()
    }
}

enum ProducerProbe: HealthCheckedProgram {
    static let name = "Producer"
    /// /health of the operations port: the public one may sit behind limits meant for strangers.
    static let portVariable = "OPS_HTTP_PORT"
    static let defaultPort = 5082
}
