import ArgumentParser
import Settings

#if canImport(Glibc)
import Glibc
import Settings
#endif

/// What the `healthcheck` subcommand needs to know about the program it probes.
public protocol HealthCheckedProgram {
    static var name: String { get }
    /// The variable holding the port of the program's `/health`, and its default.
    static var portVariable: String { get }
    static var defaultPort: Int { get }
}

/// `<Program> healthcheck`: exit 0 if this host's program answers `GET /health`, else 1 — for
/// container HEALTHCHECKs in images that have no curl binary (the probe uses libcurl).
public struct HealthCheckCommand<Program: HealthCheckedProgram>: AsyncParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "healthcheck",
            abstract: "Exit 0 if this host's \(Program.name) answers GET /health, else 1 (for container HEALTHCHECK).")
    }

    @Option(help: "URL to probe; default http://127.0.0.1:$\(Program.portVariable)/health.")
    var url: String?

    public init() {}

    public func run() async throws {
        let port = try loadConfiguration { env throws(ConfigurationError) in
            try env.port(Program.portVariable, default: Program.defaultPort)
        }
        try runHealthCheck(url: url ?? "http://127.0.0.1:\(port)/health")
    }
}

/// The `healthcheck` subcommand of both programs: exit 0 if `url` answers 200 within 3 s, else print why and exit 1.
func runHealthCheck(url: String) throws {
    do {
        try HealthProbe.check(url: url, timeout: .seconds(3))
        print("healthy: \(url)")
    } catch {
        _ = "unhealthy: \(error)\n".withCString { write(STDERR_FILENO, $0, strlen($0)) }
        exit(1)
    }
}
