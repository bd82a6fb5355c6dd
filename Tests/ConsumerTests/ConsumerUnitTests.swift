import Synchronization
import Database
import Message
import Settings
import Testing

@testable import Consumer

@Suite struct BatchDecoderTests {
    @Test func separatesGoodMessagesFromDeadLetters() throws {
        let good = QueueMessage(id: "m-1", count: 5, enqueuedAtMilliseconds: 10)
        let entries: [[UInt8]] = [Array(good.encoded.utf8), Array("garbage".utf8), Array(#"{"v":1,"id":"m-2","count":1.5,"ts":1}"#.utf8)]
        let batch = DecodedBatch(entries: entries)
        #expect(batch.messages == [good])
        #expect(batch.entries == [entries[0]])
        #expect(batch.deadLetters.map(\.kind) == [.undecodable, .undecodable])
        #expect(batch.deadLetters.map(\.raw) == [entries[1], entries[2]])
        #expect(batch.deadLetters[0].reason.contains("not valid JSON"))
        #expect(batch.deadLetters[1].reason.contains("must be a JSON integer"))
    }

    @Test func keepsTheFirstCopyOfAMessageIDAndCountsTheRest() {
        let first = QueueMessage(id: "same", count: 1, enqueuedAtMilliseconds: 10)
        let retried = QueueMessage(id: "same", count: 1, enqueuedAtMilliseconds: 20)
        let other = QueueMessage(id: "other", count: 2, enqueuedAtMilliseconds: 15)
        let entries = [first, other, retried, first].map { Array($0.encoded.utf8) }
        let batch = DecodedBatch(entries: entries)
        #expect(batch.messages == [first, other])
        #expect(batch.entries == [entries[0], entries[1]])
        #expect(batch.duplicatesInBatch == 2)
        #expect(batch.deadLetters.isEmpty)
    }

    @Test func aDeadLetterOfBytesThatAreNotUTF8KeepsValidText() {
        let batch = DecodedBatch(entries: [[0x7B, 0xFF, 0x7D]])
        #expect(batch.deadLetters.first?.raw == Array("{\u{FFFD}}".utf8))
    }
}

@Suite struct RowWriterTests {
    @Test func chunksAreFullBatchesThenPowersOfTwo() {
        #expect(RowWriter.chunkSizes(total: 500, fullChunk: 500) == [500])
        #expect(RowWriter.chunkSizes(total: 1, fullChunk: 500) == [1])
        #expect(RowWriter.chunkSizes(total: 1234, fullChunk: 500) == [500, 500, 128, 64, 32, 8, 2])
        for total in 1...1100 {
            let sizes = RowWriter.chunkSizes(total: total, fullChunk: 500)
            #expect(sizes.reduce(0, +) == total)
            #expect(sizes.allSatisfy { $0 == 500 || ($0 & ($0 - 1)) == 0 })
        }
    }

    @Test func insertStatementHasThreePlaceholdersPerRow() {
        let sql = RowWriter.insertStatement(rows: 4)
        #expect(sql.filter { $0 == "?" }.count == 12)
        // Not `id = id`: MySQL refuses an assignment to the auto-increment column (error 1869).
        #expect(sql.hasSuffix("ON DUPLICATE KEY UPDATE message_id = message_id"))
    }
}

@Suite struct ConsumerConfigurationTests {
    private let base = ["REDIS_HOST": "r", "DB_HOST": "d", "DB_USER": "u", "DB_PASSWORD": "p"]

    @Test func defaultsAndOverrides() throws {
        var values = base
        values["CONSUMER_BATCH_SIZE"] = "250"
        values["CONSUMER_ID"] = "worker-1"
        values["REDIS_BLOCKING_FETCH"] = "false"
        let configuration = try ConsumerConfiguration(environment: EnvironmentReader(values))
        #expect(configuration.batchSize == 250 && configuration.consumerID == "worker-1" && !configuration.blockingFetch)
        #expect(configuration.reclaimAfter == .seconds(10) && configuration.httpPort == 5081)
        #expect(configuration.stuckBatchAfter == .seconds(60))
        values["STUCK_BATCH_AFTER_MS"] = "5000"
        #expect(try ConsumerConfiguration(environment: EnvironmentReader(values)).stuckBatchAfter == .seconds(5))
        let generated = try ConsumerConfiguration(environment: EnvironmentReader(base)).consumerID
        #expect(MessageID.isValid(generated))
        #expect(try ConsumerConfiguration(environment: EnvironmentReader(base)).deadLetterMax == 100_000)
        values["DEAD_LETTER_MAX"] = "250"
        #expect(try ConsumerConfiguration(environment: EnvironmentReader(values)).deadLetterMax == 250)
        values["DEAD_LETTER_MAX"] = "0"
        #expect(throws: ConfigurationError(variable: "DEAD_LETTER_MAX", problem: "must be between 1 and 10000000, got 0")) {
            try ConsumerConfiguration(environment: EnvironmentReader(values))
        }
    }

    @Test func rejectsAReclaimTimeThatWouldReapLiveConsumers() {
        var values = base
        values["HEARTBEAT_INTERVAL_MS"] = "5000"
        values["RECLAIM_AFTER_MS"] = "8000"
        #expect(throws: ConfigurationError.self) { try ConsumerConfiguration(environment: EnvironmentReader(values)) }
        values = base
        values["CONSUMER_BATCH_SIZE"] = "0"
        #expect(throws: ConfigurationError(variable: "CONSUMER_BATCH_SIZE", problem: "must be between 1 and 5000, got 0")) {
            try ConsumerConfiguration(environment: EnvironmentReader(values))
        }
    }
}

@Suite struct DatabaseSetupPlanTests {
    @Test func grantsLeastPrivilegeAndQuotesPasswords() throws {
        let plan = try DatabaseSetupPlan(environment: EnvironmentReader([
            "DB_HOST": "db", "DB_ADMIN_USER": "admin", "DB_ADMIN_PASSWORD": "x", "PRODUCER_DB_PASSWORD": "p'1",
            "CONSUMER_DB_PASSWORD": "c2",
        ]))
        let statements = plan.statements { "<\($0)>" }
        #expect(statements.contains("GRANT SELECT ON `count`.* TO 'count_producer'@'%'"))
        #expect(statements.contains("GRANT SELECT, INSERT, UPDATE, CREATE, ALTER, INDEX ON `count`.* TO 'count_consumer'@'%'"))
        #expect(statements.contains("CREATE USER IF NOT EXISTS 'count_producer'@'%' IDENTIFIED BY <p'1>"))
        #expect(!statements.joined().contains("DELETE") && !statements.joined().contains("ALL PRIVILEGES"))
    }

    @Test func refusesUnsafeUserNames() {
        #expect(throws: ConfigurationError.self) {
            try DatabaseSetupPlan(environment: EnvironmentReader([
                "DB_HOST": "db", "DB_ADMIN_USER": "a", "DB_ADMIN_PASSWORD": "x", "PRODUCER_DB_USER": "x'@'%",
                "PRODUCER_DB_PASSWORD": "p", "CONSUMER_DB_PASSWORD": "c",
            ]))
        }
    }
}

@Suite struct StuckBatchMonitorTests {
    /// A clock the test steps by hand, and Unix time that follows it.
    private final class TestClock: Sendable {
        let start = ContinuousClock.now
        let elapsed = Mutex(Duration.zero)
        var now: ContinuousClock.Instant { start + elapsed.withLock { $0 } }
        var unixMilliseconds: UInt64 { 1_764_604_800_000 + UInt64(elapsed.withLock { $0 }.seconds * 1000) }
        func advance(_ duration: Duration) { elapsed.withLock { $0 += duration } }
    }

    @Test func aBatchCountsAsStuckOnlyPastTheThresholdAndUntilItGoesThrough() {
        let clock = TestClock()
        let monitor = StuckBatchMonitor(threshold: .milliseconds(100), now: { clock.now }, unixMilliseconds: { clock.unixMilliseconds })
        #expect(monitor.problem == nil && monitor.stuckSinceUnixMilliseconds == nil)
        monitor.failed(with: DatabaseError(code: 1213, message: "first"))
        clock.advance(.milliseconds(99))
        #expect(monitor.problem == nil, "failing, but not for long enough yet")
        clock.advance(.milliseconds(1))
        monitor.failed(with: DatabaseError(code: 1213, message: "second", server: .mySQL))
        #expect(monitor.problem?.contains("MySQL error 1213 (HY000): second") == true)
        #expect(monitor.stuckSinceUnixMilliseconds == 1_764_604_800_000, "since the first failure")
        monitor.succeeded()
        #expect(monitor.problem == nil && monitor.stuckSinceUnixMilliseconds == nil)
    }
}
