import Foundation
import Redis

/// A plain redis-server of a test's own on a free loopback port, for tests that stop and restart
/// it or must count its commands alone (the shared test Redis serves every suite at once).
final class OwnRedis: @unchecked Sendable {  // used by one test task at a time
    let port: Int
    private var server: RedisServerProcess?
    private let directory: URL

    init() throws {
        // Below 32768, where Linux starts handing out ephemeral ports to outgoing connections.
        port = Int.random(in: 17000...19999)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("count-pipeline-redis-\(port)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try start()
    }

    /// Starts it (again, after `stop`), with its append-only file: what it had before comes back.
    func start() throws {
        server = try RedisServerProcess(port: port, directory: directory, arguments: ["--port", String(port), "--appendonly", "yes"])
    }

    /// Waits until it accepts connections (up to 10 s); throws if it never does.
    func waitUntilReady() throws {
        guard server?.waitUntilListening() == true else {
            throw TestServices.SetupError(description: "redis-server on port \(port) did not start")
        }
    }

    /// Stops it cleanly with SHUTDOWN (it writes its AOF and exits), as an operator would. A signal
    /// is not used: a child of this test process may inherit a mask that blocks SIGTERM.
    func stop() {
        guard let server else { return }
        if let connection = try? RedisConnection.connect(host: "127.0.0.1", port: port, username: nil, password: nil, timeout: .seconds(1)) {
            _ = try? connection.run(["SHUTDOWN"], timeout: .seconds(5))
            connection.close()
        }
        server.awaitExit()
        self.server = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
