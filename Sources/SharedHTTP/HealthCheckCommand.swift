import ArgumentParser
import Shared

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
