import Foundation

/// One `redis-server` process of a test's own, on loopback, with no persistence unless its
/// arguments ask for it; killed (SIGKILL) when released if it is still running. What `OwnRedis`,
/// `OwnTLSRedis` and `OwnCluster` start their servers with.
final class RedisServerProcess: @unchecked Sendable {  // used by one test task at a time
    let port: Int
    private let process = Process()

    /// - Parameter arguments: beyond `--bind 127.0.0.1 --dir directory --save ""`.
    init(port: Int, directory: URL, arguments: [String]) throws {
        self.port = port
        process.executableURL = URL(fileURLWithPath: "/usr/bin/redis-server")
        process.arguments = ["--bind", "127.0.0.1", "--dir", directory.path, "--save", ""] + arguments
        process.currentDirectoryURL = directory
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit { kill() }

    var isRunning: Bool { process.isRunning }

    /// Waits (up to `timeout`) until `port` accepts connections; false if it never does or the server exits.
    func waitUntilListening(timeout: Duration = .seconds(10)) -> Bool {
        let end = ContinuousClock.now + timeout
        repeat {
            if TestServices.acceptsConnections(port: port) { return true }
            usleep(50_000)
        } while ContinuousClock.now < end && process.isRunning
        return false
    }

    /// kill -9, as a crashed host would look; returns once it is gone.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits (up to `timeout`) for it to exit by itself (after SHUTDOWN, say); kills it if it does not.
    func awaitExit(timeout: Duration = .seconds(5)) {
        let end = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < end { usleep(50_000) }
        kill()
    }
}
