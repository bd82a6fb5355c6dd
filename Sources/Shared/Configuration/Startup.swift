import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Reads configuration from the process environment; on a bad setting prints the one line that
/// names the variable and exits 2, before anything else starts.
public func loadConfiguration<Configuration>(
    _ read: (EnvironmentReader) throws(ConfigurationError) -> Configuration
) rethrows -> Configuration {
    do {
        return try read(EnvironmentReader(ProcessEnvironment.current))
    } catch {
        _ = "\(error)\n".withCString { write(STDERR_FILENO, $0, strlen($0)) }
        exit(2)
    }
}

/// Before a program starts serving: if Redis refuses it (credentials, TLS), that stays so until
/// someone changes a setting, so the program logs the one line that says why and exits 1. An
/// unreachable Redis is only a warning: it may come up later, and the programs recover by themselves.
public func exitIfRedisRefuses(_ settings: RedisSettings, logger: Logger) async {
    let redis = RedisClient(settings: settings, poolSize: 1)
    let failure: (any Error)?
    do {
        try await redis.ping(deadline: .after(.seconds(3)))
        failure = nil
    } catch {
        failure = error
    }
    await redis.shutdown()
    if let refusal = failure as? RedisError, refusal.isRefusal {
        logger.critical("Redis at \(settings.endpointDescription) refused this program: \(refusal.message)")
        exit(1)
    } else if let failure {
        logger.warning("Redis is not reachable yet; starting anyway, connecting when it is", metadata: ["error": "\(failure)"])
    }
}

/// The `healthcheck` subcommand of both programs: exit 0 if `url` answers 200 within 3 s, else print why and exit 1.
public func runHealthCheck(url: String) throws {
    do {
        try HealthProbe.check(url: url, timeout: .seconds(3))
        print("healthy: \(url)")
    } catch {
        _ = "unhealthy: \(error)\n".withCString { write(STDERR_FILENO, $0, strlen($0)) }
        exit(1)
    }
}

public enum ProcessEnvironment {
    public static var current: [String: String] {
        var values: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                values[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return values
    }
}

public enum Host {
    /// This machine's host name (the container's id on ECS): reported so callers behind a load balancer see who answered.
    public static let name: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}

public enum ProcessID {
    public static var current: Int32 { getpid() }
}

