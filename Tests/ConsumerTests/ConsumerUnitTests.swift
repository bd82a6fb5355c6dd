import Shared
import Testing

@testable import Consumer

@Suite struct BatchDecoderTests {
    @Test func separatesGoodMessagesFromDeadLetters() throws {
        let good = QueueMessage(id: "m-1", count: 5, enqueuedAtMilliseconds: 10)
        let entries: [[UInt8]] = [Array(good.encoded.utf8), Array("garbage".utf8), Array(#"{"v":1,"id":"m-2","count":1.5,"ts":1}"#.utf8)]
        let batch = DecodedBatch(entries: entries, consumer: "c-1", now: 99)
        #expect(batch.messages == [good])
        #expect(batch.deadLetters.count == 2)
        let first = try StrictJSONParser.parse(Array(batch.deadLetters[0].utf8))
        guard case .object(let members) = first else { Issue.record("dead letter is not an object"); return }
        #expect(members.map(\.key) == ["reason", "raw", "consumer", "ts"])
        #expect(members[1].value == .string("garbage"))
        #expect(members[2].value == .string("c-1"))
        #expect(batch.deadLetters[1].contains("must be a JSON integer"))
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
        #expect(sql.hasSuffix("ON DUPLICATE KEY UPDATE id = id"))
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
        let generated = try ConsumerConfiguration(environment: EnvironmentReader(base)).consumerID
        #expect(MessageID.isValid(generated))
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
