import Foundation
import Queue
import Redis
import Testing

@testable import Consumer

/// SIGTERM ends the Consumer with exit 0 within `SHUTDOWN_GRACE_MS` plus a second, whatever it is
/// doing, and a failure repeated many times a second is logged once with a count, not as a flood.
@Suite(.serialized, .timeLimit(.minutes(3)), .needsTestServers)
struct ConsumerShutdownTests {
    static let grace: Duration = .seconds(2)

    /// The Consumer binary, its output in a file (a pipe nobody reads could stall a flood).
    final class ConsumerProcess {
        let process = Process()
        let log: URL

        init(environment: [String: String]) throws {
            log = FileManager.default.temporaryDirectory.appendingPathComponent(TestServices.uniqueName("consumer") + ".log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let output = try FileHandle(forWritingTo: log)
            process.executableURL = TestServices.binary("Consumer")
            process.environment = environment.merging(["SHUTDOWN_GRACE_MS": String(Int(grace.seconds * 1000))]) { $1 }
            process.standardOutput = output
            process.standardError = output
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? FileManager.default.removeItem(at: log)
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Sends SIGTERM; returns the exit status and how long the process took to exit (nil: it did not within 30 s).
        func terminate() async -> (status: Int32, took: Duration?) {
            let sent = ContinuousClock.now
            process.terminate()
            let exited = await TestServices.eventually(timeout: .seconds(30)) { !self.process.isRunning }
            guard exited else { return (-1, nil) }
            return (process.terminationStatus, ContinuousClock.now - sent)
        }
    }

    /// Lets the Consumer sit in its state for a while, stops it, and checks the exit and the log.
    private func expectCleanExit(_ consumer: ConsumerProcess, after marker: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let reached = await TestServices.eventually(timeout: .seconds(30)) { consumer.output.contains(marker) }
        #expect(reached, "never logged \(marker): \(consumer.output)", sourceLocation: sourceLocation)
        try await Task.sleep(for: .seconds(3))  // long enough for a tight loop to show itself
        let (status, took) = await consumer.terminate()
        let output = consumer.output
        #expect(status == 0, "exit status \(status): \(output.suffix(2000))", sourceLocation: sourceLocation)
        #expect(took.map { $0 < Self.grace + .seconds(1) } == true, "took \(String(describing: took)) to exit after SIGTERM", sourceLocation: sourceLocation)
        let lines = output.split(separator: "\n")
        #expect(lines.count < 40, "\(lines.count) log lines: \(output.suffix(3000))", sourceLocation: sourceLocation)
    }

    @Test func whileTheDatabaseRefusesConnectionsAtStart() async throws {
        let closedPort = try TestServices.unusedPort()
        var database = try TestServices.freshDatabase()
        database.port = closedPort
        let consumer = try ConsumerProcess(environment: try TestServices.programEnvironment(redis: TestServices.redis(), database: database))
        try await expectCleanExit(consumer, after: "preparing the schema failed")
    }

    /// A server that accepts the connection and never speaks: the connect itself hangs.
    @Test func whileTheDatabaseNeverAnswersAtStart() async throws {
        let silent = try SilentListener()
        var database = try TestServices.freshDatabase()
        database.port = silent.port
        let consumer = try ConsumerProcess(environment: try TestServices.programEnvironment(redis: TestServices.redis(), database: database))
        try await expectCleanExit(consumer, after: "starting")
    }

    @Test func whileRedisIsGone() async throws {
        var redis = TestServices.redis()
        redis.settings.port = try TestServices.unusedPort()
        let consumer = try ConsumerProcess(environment: try TestServices.programEnvironment(redis: redis, database: try TestServices.freshDatabase()))
        try await expectCleanExit(consumer, after: "registering failed")
    }

    @Test func whileABatchKeepsFailing() async throws {
        let redis = TestServices.redis()
        let (database, setup) = try TestServices.databaseWithTrigger(TestServices.alwaysDeadlockedTrigger)
        setup.close()
        let client = redis.client()
        try await client.run(["RPUSH", redis.queue.name, "1", "2", "3"], deadline: .after(.seconds(2)))
        await client.shutdown()
        let consumer = try ConsumerProcess(environment: try TestServices.programEnvironment(redis: redis, database: database))
        try await expectCleanExit(consumer, after: "inserting failed")
        // It left the batch for another consumer: still in Redis, nothing lost.
        let check = redis.client()
        let held = try await check.run(["EVAL", "local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do n = n + redis.call('LLEN', k) end return n", "0",
                                        QueueKeys(queue: redis.queue.name).processingPrefix + "*"], deadline: .after(.seconds(2))).integer
        #expect(held == 3)
        await check.shutdown()
    }

    /// An INSERT that hangs inside the server (a lock, a slow disk): the blocking call is abandoned at the end of the grace.
    @Test func whileAStatementHangs() async throws {
        let redis = TestServices.redis()
        let (database, setup) = try TestServices.databaseWithTrigger(
            "CREATE TRIGGER slow_insert BEFORE INSERT ON `count` FOR EACH ROW SET NEW.count_value = NEW.count_value + SLEEP(60)")
        setup.close()
        let client = redis.client()
        try await client.run(["RPUSH", redis.queue.name, "1"], deadline: .after(.seconds(2)))
        await client.shutdown()
        let consumer = try ConsumerProcess(environment: try TestServices.programEnvironment(redis: redis, database: database, ["DB_TIMEOUT_MS": "60000"]))
        try await expectCleanExit(consumer, after: "schema ready")
        #expect(consumer.output.contains("SHUTDOWN_GRACE_MS ran out"), "\(consumer.output)")
    }
}
