import ArgumentParser
import Logging
import Observability
import Queue
import Redis
import Secrets
import Settings

#if canImport(Glibc)
import Glibc
#endif

/// What every operations subcommand starts from: the Consumer's own Redis settings (REDIS_*, the
/// same user and rules as the running Consumers), a Redis that answers, and the operations on it.
/// Bad settings stop it with the configuration line (exit 2), an unreachable Redis with one line
/// that says so (exit 1), before anything is read or changed.
struct OperatorSession {
    let redis: RedisClient
    let queue: QueueShards
    let operations: OperatorActions

    /// Who acts, for the audit line: the CLI on this host, as this user.
    static var origin: String {
        let environment = ProcessEnvironment.current
        let user = environment["USER"] ?? environment["LOGNAME"] ?? "uid \(getuid())"
        return "cli user=\(user) host=\(Host.name) pid=\(ProcessID.current)"
    }

    static func open() async throws -> OperatorSession {
        var settings = try loadConfiguration { env throws(ConfigurationError) in
            (try RedisSettings(from: env), try QueueSettings(from: env), try LogSettings(from: env), try SecretsSettings.read(from: env))
        }
        settings.2.bootstrap()
        // REDIS_SECRET is read once: a command lasts seconds, a rotation needs no refresher here.
        var secretsSettings = settings.3
        secretsSettings?.databaseSecret = nil
        if secretsSettings?.redisSecret != nil {
            await LoadedSecrets.readOrExit(secretsSettings, logger: Logger(label: "Consumer")).apply(to: &settings.0)
        }
        let redis = RedisClient(settings: settings.0, poolSize: 1)
        do {
            try await redis.ping(deadline: .after(.seconds(3)))
        } catch {
            await redis.shutdown()
            throw OperatorFailure("cannot reach Redis at \(settings.0.endpointDescription) (\(error)); nothing was read or changed")
        }
        let queue = QueueShards(redis: redis, settings: settings.1)
        let logger = Logger(label: "Consumer")
        return OperatorSession(redis: redis, queue: queue, operations: OperatorActions(queue: queue, history: HistoryRecorder(queue: queue, logger: logger)))
    }

    /// Runs `body` with a session, closes it, and turns a failure into one line on stderr and exit 1.
    static func run(_ body: (OperatorSession) async throws -> Void) async throws {
        let session: OperatorSession
        do {
            session = try await open()
        } catch {
            throw fail("\(error)")
        }
        do {
            try await body(session)
            await session.redis.shutdown()
        } catch {
            await session.redis.shutdown()
            throw fail("\(error)")
        }
    }

    private static func fail(_ message: String) -> ExitCode {
        _ = "error: \(message)\n".withCString { write(STDERR_FILENO, $0, strlen($0)) }
        return ExitCode.failure
    }
}

/// A failure with the sentence the operator sees.
struct OperatorFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// `--json` for subcommands whose output is data.
struct OutputOptions: ParsableArguments {
    @Flag(help: "Print JSON instead of text.")
    var json = false
}

/// `--kind K | --id ID | --all`, exactly one.
struct SelectorOptions: ParsableArguments {
    @Option(help: "Records of this kind: \(DeadLetter.Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kind: String?

    @Option(help: "The record(s) with this id (see `dead-letters list`).")
    var id: String?

    @Flag(help: "Every record.")
    var all = false

    func validate() throws {
        _ = try selector()
    }

    func selector() throws -> DeadLetterSelector {
        do {
            return try DeadLetterSelector(all: all, kind: kind, id: id)
        } catch {
            throw ValidationError(error.message)
        }
    }
}
