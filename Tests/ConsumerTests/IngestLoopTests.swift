import Database
import Logging
import Message
import Queue
import ServiceLifecycleTestKit
import Settings
import Testing

@testable import Consumer

/// The ingest loop against the fakes of IngestFakes.swift: the order of writes, commits and
/// acknowledgements, retries, and shutdown, with no server and no real waits.
@Suite struct IngestLoopTests {
    private let journal = Journal()
    private let waits = InstantWaits()
    private let history = FakeHistory()

    private func loop(queue: FakeQueue, rows: FakeRowStore, sessions: Int, graceMs: Int = 10_000) throws -> IngestLoop {
        let configuration = try ConsumerConfiguration(environment: EnvironmentReader([
            "REDIS_HOST": "r", "DB_HOST": "d", "DB_USER": "u", "DB_PASSWORD": "p", "CONSUMER_ID": "c1",
            "CONSUMER_BATCH_SIZE": "2", "DB_WRITE_SESSIONS": "\(sessions)", "SHUTDOWN_GRACE_MS": "\(graceMs)",
        ]))
        return IngestLoop(
            configuration: configuration, queue: queue, rows: rows, stuck: StuckBatchMonitor(threshold: .seconds(60)),
            history: history, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), clock: waits.clock)
    }

    /// Runs the loop while `body` drives it; `body` ends by triggering the graceful shutdown.
    private func run(_ loop: IngestLoop, _ body: @escaping @Sendable (GracefulShutdownTestTrigger) async throws -> Void) async throws {
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await loop.run() }
                try await body(trigger)
                try await group.waitForAll()
            }
        }
    }

    private func index(of event: Journal.Event) -> Int? { journal.events.firstIndex(of: event) }

    @Test func twoSessionsSendTheNextBatchWhileOneCommitsAndAcknowledgeInFetchOrder() async throws {
        let queue = FakeQueue(journal: journal, messages: messages(1...6))
        let rows = FakeRowStore(journal: journal)
        for first in ["m1", "m3", "m5"] { rows.gates.close(first) }
        try await run(try loop(queue: queue, rows: rows, sessions: 2)) { [journal] trigger in
            // Batches m1 and m3 are in their transactions at once, and m5 is fetched ahead.
            try await journal.wait { events in
                events.contains { if case .writeStarted(_, "m3") = $0 { true } else { false } } && events.contains(.fetched(["m5", "m6"]))
            }
            // m3 commits first: its session takes m5, but m3 is not acknowledged before m1.
            rows.gates.open("m3")
            try await journal.wait { events in
                // m5 started, and after m3's commit the loop looked ahead, found nothing, and waits for a write.
                guard let committed = events.firstIndex(where: { if case .committed(_, "m3", _) = $0 { true } else { false } }) else { return false }
                return events.contains { if case .writeStarted(_, "m5") = $0 { true } else { false } } && events[committed...].contains(.fetched([]))
            }
            #expect(!journal.events.contains { if case .acknowledged = $0 { true } else { false } })
            rows.gates.open("m1")
            try await journal.wait { $0.contains(.acknowledged(first: "m3")) }
            rows.gates.open("m5")
            try await journal.wait { $0.contains(.acknowledged(first: "m5")) }
            trigger.triggerGracefulShutdown()
        }
        let events = journal.events
        let started = events.compactMap { if case .writeStarted(let session, let first) = $0 { (session, first) } else { nil } }
        #expect(started.map(\.1) == ["m1", "m3", "m5"])
        #expect(started[0].0 != started[1].0, "m1 and m3 ran on different sessions")
        #expect(started[2].0 == started[1].0, "m5 took the session m3 freed")
        #expect(events.compactMap { if case .acknowledged(let first) = $0 { first } else { nil } } == ["m1", "m3", "m5"])
        let committedM1 = try #require(index(of: .committed(session: started[0].0, first: "m1", inserted: 2)))
        let committedM3 = try #require(index(of: .committed(session: started[1].0, first: "m3", inserted: 2)))
        #expect(try #require(index(of: .writeStarted(session: started[1].0, first: "m3"))) < committedM1, "m3 was sent while m1 was open")
        #expect(committedM3 < committedM1)
        #expect(try #require(index(of: .acknowledged(first: "m3"))) > committedM1, "m3 waited for m1's commit")
        #expect(rows.rowIDs == Set(messages(1...6).map(\.id)))
        #expect(rows.counters.values.reduce(0, +) == 6)
        #expect(queue.processing.isEmpty && queue.queued.isEmpty)
        #expect(events.last == .deregistered)
        #expect(history.values[HistoryField.inserted] == 6)
    }

    @Test func aCommitWhoseReplyIsLostIsRecognisedByItsIDsAndAcknowledgedOnce() async throws {
        let queue = FakeQueue(journal: journal, messages: messages(1...4))
        let rows = FakeRowStore(journal: journal)
        rows.loseCommitReply(ofBatchStartingWith: "m1")
        try await run(try loop(queue: queue, rows: rows, sessions: 1)) { [journal] trigger in
            try await journal.wait { $0.contains(.acknowledged(first: "m3")) }
            trigger.triggerGracefulShutdown()
        }
        let commits = journal.events.filter { if case .committed(_, "m1", _) = $0 { true } else { false } }
        #expect(commits == [.committed(session: 0, first: "m1", inserted: 2), .committed(session: 0, first: "m1", inserted: 0)],
                "the retry found both rows present and added none")
        #expect(journal.events.filter { $0 == .acknowledged(first: "m1") }.count == 1)
        #expect(try #require(index(of: .acknowledged(first: "m1"))) > journal.events.lastIndex(of: commits[1])!)
        #expect(rows.rowIDs == Set(messages(1...4).map(\.id)))
        #expect(rows.counters == [0: 4], "counted once: the lost commit's counter update was in its transaction")
        #expect(history.values[HistoryField.duplicates] == 2, "the retry reports the committed rows as already there")
        #expect(!waits.waits.isEmpty, "the retry waited out its backoff on the injected clock")
        #expect(queue.processing.isEmpty)
    }

    @Test func shutdownWhileWaitingForWorkStopsAtOnceWithNothingInHand() async throws {
        let queue = FakeQueue(journal: journal)
        let rows = FakeRowStore(journal: journal)
        try await run(try loop(queue: queue, rows: rows, sessions: 2)) { [journal] trigger in
            try await journal.wait { $0.contains(.fetched([])) }
            trigger.triggerGracefulShutdown()
        }
        #expect(journal.events == [.fetched([]), .deregistered])
    }

    @Test func shutdownWhileAWriteIsBlockedCommitsTheBatchesInHandAndTakesNoMore() async throws {
        let queue = FakeQueue(journal: journal, messages: messages(1...6))
        let rows = FakeRowStore(journal: journal)
        rows.gates.close("m1")
        try await run(try loop(queue: queue, rows: rows, sessions: 1)) { [journal] trigger in
            try await journal.wait { $0.contains(.writeStarted(session: 0, first: "m1")) && $0.contains(.fetched(["m3", "m4"])) }
            trigger.triggerGracefulShutdown()
            rows.gates.open("m1")
        }
        #expect(rows.rowIDs == Set(messages(1...4).map(\.id)), "m3 was in hand (fetched ahead), so it was committed too")
        #expect(queue.queued == ["m5", "m6"], "no new batch after the shutdown began")
        #expect(queue.processing.isEmpty)
        #expect(journal.events.last == .deregistered)
        #expect(journal.events.compactMap { if case .acknowledged(let first) = $0 { first } else { nil } } == ["m1", "m3"])
    }

    @Test func whenTheGraceRunsOutTheBatchesInHandStayInTheProcessingList() async throws {
        let queue = FakeQueue(journal: journal, messages: messages(1...4))
        let rows = FakeRowStore(journal: journal)
        rows.gates.close("m1")
        try await run(try loop(queue: queue, rows: rows, sessions: 1, graceMs: 0)) { [journal] trigger in
            try await journal.wait { $0.contains(.writeStarted(session: 0, first: "m1")) && $0.contains(.fetched(["m3", "m4"])) }
            trigger.triggerGracefulShutdown()
        }
        #expect(rows.rowIDs.isEmpty)
        #expect(queue.processing == ["m1", "m2", "m3", "m4"], "left for another consumer to reclaim")
        #expect(!journal.events.contains { if case .acknowledged = $0 { true } else { false } })
        #expect(journal.events.last == .deregistered)
    }
}

@Suite struct WriteWindowTests {
    private func start(_ window: inout WriteWindow) -> (sequence: Int, session: Int, batch: FetchedBatch)? { window.startNext() }

    private func batch(_ ids: ClosedRange<Int>, shard: Int = 0) -> FetchedBatch {
        FetchedBatch(shard: shard, entries: messages(ids).map { Array($0.encoded.utf8) })
    }

    private func committed(_ batch: FetchedBatch) -> CommittedBatch {
        CommittedBatch(shard: batch.shard, entries: batch.entries, deadLetters: [])
    }

    @Test func aCommittedBatchWaitsForTheOnesFetchedBeforeIt() throws {
        var window = WriteWindow(sessions: 2)
        let (a, b, c) = (batch(1...2), batch(3...4), batch(5...6))
        window.fetched(a)
        let first = try #require(start(&window))
        window.fetched(b)
        let second = try #require(start(&window))
        window.fetched(c)
        #expect(window.startNext() == nil, "both sessions are busy")
        #expect(first.session != second.session)
        window.committed(sequence: second.sequence, session: second.session, committed(b))
        #expect(window.takeAcknowledgeable().isEmpty, "b was fetched after a, which is still writing")
        let third = try #require(start(&window))
        #expect(third.session == second.session && third.batch == c)
        window.committed(sequence: first.sequence, session: first.session, committed(a))
        #expect(window.takeAcknowledgeable() == [committed(a), committed(b)])
        #expect(window.writing == 1 && !window.isEmpty)
        window.committed(sequence: third.sequence, session: third.session, committed(c))
        #expect(window.takeAcknowledgeable() == [committed(c)])
        #expect(window.isEmpty)
    }

    @Test func theEntriesHeldOnAShardAreEveryBatchFromItNotYetAcknowledged() throws {
        var window = WriteWindow(sessions: 1)
        window.fetched(batch(1...3, shard: 0))
        let first = try #require(start(&window))
        window.fetched(batch(4...5, shard: 1))
        #expect(window.heldEntries(onShard: 0) == 3 && window.heldEntries(onShard: 1) == 2)
        window.committed(sequence: first.sequence, session: first.session, committed(first.batch))
        #expect(window.heldEntries(onShard: 0) == 3, "committed, but still at the head of its list until acknowledged")
        _ = window.takeAcknowledgeable()
        #expect(window.heldEntries(onShard: 0) == 0 && window.heldEntries(onShard: 1) == 2)
    }
}

/// `RowWriter`'s bisection against a session in memory.
@Suite struct RowWriterBisectionTests {
    /// Refuses any transaction holding a refused id (as a value out of range is), fails once with a
    /// lock wait timeout where told, and otherwise commits the ids not present yet.
    final class FakeSession: RowTransactions {
        let refused: Set<String>
        var failOnceAt: Set<String>
        private(set) var committed: [String] = []
        private(set) var transactions = 0

        init(refused: Set<String>, failOnceAt: Set<String> = []) {
            self.refused = refused
            self.failOnceAt = failOnceAt
        }

        func insertSkippingPresent(_ messages: ArraySlice<QueueMessage>, chunk: Int, statsShard: Int) throws -> Int {
            transactions += 1
            if let bad = messages.first(where: { refused.contains($0.id) }) {
                throw DatabaseError(code: 1264, sqlState: "22003", message: "Out of range value for \(bad.id)")
            }
            if let failing = messages.first(where: { failOnceAt.contains($0.id) }) {
                failOnceAt.remove(failing.id)
                throw DatabaseError(code: 1205, message: "Lock wait timeout exceeded")
            }
            let new = messages.filter { !committed.contains($0.id) }
            committed += new.map(\.id)
            return new.count
        }
    }

    @Test func aRefusedRowMidBatchStandsAloneAndEveryOtherRowIsCommitted() throws {
        let session = FakeSession(refused: ["m6"])
        let outcome = try RowWriter(batchSize: 8).write(messages(1...8), on: session, statsShard: 3)
        #expect(outcome.inserted == 7 && outcome.duplicates == 0)
        #expect(outcome.refused.map(\.index) == [5] && outcome.refused.first?.error.code == 1264)
        #expect(session.committed == messages(1...8).map(\.id).filter { $0 != "m6" })
        // 8 (refused) → 1-4 ok, 5-8 (refused) → 5-6 (refused) → 5 ok, 6 alone; 7-8 ok.
        #expect(session.transactions == 7)
    }

    @Test func aPassingFailureMidBatchIsThrownAndTheRetryAddsNoRowTwice() throws {
        let session = FakeSession(refused: ["m6"], failOnceAt: ["m8"])
        let writer = RowWriter(batchSize: 8)
        #expect(throws: DatabaseError(code: 1205, message: "Lock wait timeout exceeded")) {
            try writer.write(messages(1...8), on: session, statsShard: 0)
        }
        #expect(session.committed == ["m1", "m2", "m3", "m4", "m5"], "the halves before the failure stay committed")
        let retried = try writer.write(messages(1...8), on: session, statsShard: 0)
        #expect(retried.inserted == 2 && retried.duplicates == 5 && retried.refused.map(\.index) == [5])
        #expect(session.committed == messages(1...8).map(\.id).filter { $0 != "m6" })
    }
}
