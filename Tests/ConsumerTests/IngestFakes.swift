import Database
import Message
import Queue
import Resilience
import Synchronization

@testable import Consumer

/// Tasks waiting for a fake's state to change: `wait(until:)` checks its condition under this
/// lock, and whoever changes the state calls `wakeAll()` after, so no wake-up is lost. A cancelled
/// wait throws `CancellationError`, as an abandoned call of the real pool does.
final class Parking: Sendable {
    private struct State {
        var nextToken = 0
        /// Resumed with false: look at the condition again.
        var parked: [Int: CheckedContinuation<Bool, any Error>] = [:]
    }

    private let state = Mutex(State())

    func wait(until ready: () -> Bool) async throws {
        while try await !parkUnless(ready) {}
    }

    /// True if `ready` held; false after a wake-up.
    private func parkUnless(_ ready: () -> Bool) async throws -> Bool {
        let token = state.withLock { state in
            defer { state.nextToken += 1 }
            return state.nextToken
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                let now: Result<Bool, any Error>? = state.withLock { state in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if ready() { return .success(true) }
                    state.parked[token] = continuation
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            state.withLock { $0.parked.removeValue(forKey: token) }?.resume(throwing: CancellationError())
        }
    }

    func wakeAll() {
        let parked = state.withLock { state in
            defer { state.parked.removeAll() }
            return Array(state.parked.values)
        }
        parked.forEach { $0.resume(returning: false) }
    }
}

/// What happened, in the order it happened, across the fake queue and the fake database; a test
/// waits for a state of it instead of sleeping.
final class Journal: Sendable {
    enum Event: Equatable, Sendable {
        /// A fetch moved these message ids into the processing list (none: the queue was empty).
        case fetched([String])
        case writeStarted(session: Int, first: String)
        case committed(session: Int, first: String, inserted: Int)
        case acknowledged(first: String)
        case deregistered
    }

    private let recorded = Mutex<[Event]>([])
    private let parking = Parking()

    var events: [Event] { recorded.withLock { $0 } }

    func record(_ event: Event) {
        recorded.withLock { $0.append(event) }
        parking.wakeAll()
    }

    /// Returns once `condition` holds for the events so far.
    func wait(until condition: ([Event]) -> Bool) async throws {
        try await parking.wait { condition(events) }
    }
}

/// Gates that a fake call waits at, by name, until the test opens them.
final class Gates: Sendable {
    private let closed = Mutex<Set<String>>([])
    private let parking = Parking()

    func close(_ name: String) { closed.withLock { _ = $0.insert(name) } }

    func open(_ name: String) {
        closed.withLock { _ = $0.remove(name) }
        parking.wakeAll()
    }

    func pass(_ name: String) async throws {
        try await parking.wait { !closed.withLock { $0.contains(name) } }
    }
}

/// One queue shard in memory, following the fetch and acknowledge scripts' rules: a fetch first
/// returns entries of the processing list beyond those in hand, an acknowledge trims the head only
/// while it starts with the batch.
final class FakeQueue: BatchQueue {
    private struct State {
        var queue: [[UInt8]] = []
        var processing: [[UInt8]] = []
    }

    private let state = Mutex(State())
    private let arrivals = Parking()
    let journal: Journal

    init(journal: Journal, messages: [QueueMessage] = []) {
        self.journal = journal
        push(messages)
    }

    var shardCount: Int { 1 }
    var queued: [String] { state.withLock { $0.queue.map(Self.id) } }
    var processing: [String] { state.withLock { $0.processing.map(Self.id) } }

    func push(_ messages: [QueueMessage]) {
        state.withLock { $0.queue += messages.map { Array($0.encoded.utf8) } }
        arrivals.wakeAll()
    }

    static func id(_ entry: [UInt8]) -> String { (try? QueueMessage.decode(entry).id) ?? "?" }

    func name(ofShard shard: Int) -> String { "fake" }

    func fetchBatch(shard: Int, consumer: String, limit: Int, skipping held: Int, deadline: Deadline) async throws -> WorkQueue.Fetched {
        let entries = state.withLock { state -> [[UInt8]] in
            let pending = Array(state.processing.dropFirst(held).prefix(limit))
            if !pending.isEmpty { return pending }
            let taken = Array(state.queue.prefix(limit))
            state.queue.removeFirst(taken.count)
            state.processing += taken
            return taken
        }
        journal.record(.fetched(entries.map(Self.id)))
        return .entries(entries)
    }

    func acknowledge(
        shard: Int, consumer: String, batch: [[UInt8]], deadLetters: [DeadLetter], deadLetterLimit: Int, deadline: Deadline
    ) async throws -> DeadLetterEviction {
        let acted = state.withLock { state in
            guard let first = batch.first, state.processing.first == first else { return false }
            state.processing.removeFirst(batch.count)
            return true
        }
        if acted, let first = batch.first { journal.record(.acknowledged(first: Self.id(first))) }
        return DeadLetterEviction()
    }

    /// Returns once the queue has an entry; a cancelled wait throws.
    func waitForWork(shard: Int, blockFor: Duration, deadline: Deadline) async throws {
        try await arrivals.wait { !state.withLock { $0.queue.isEmpty } }
    }

    func heartbeat(shard: Int, consumer: String, deadline: Deadline) async throws {}

    func deregister(shard: Int, consumer: String, deadline: Deadline) async throws {
        journal.record(.deregistered)
    }
}

/// The database in memory: one transaction per write inserts the ids not present yet and adds them
/// to the session's counter row, all at once. A write whose batch starts with an id in `gates` waits
/// there; `loseCommitReply` makes the first write of that batch commit and then fail as a lost
/// connection does (the client never learns that it committed).
final class FakeRowStore: RowStore {
    private struct State {
        var rows: [String: Int64] = [:]
        var counters: [Int: Int] = [:]
        var lostReplies: Set<String> = []
    }

    private let state = Mutex(State())
    let journal: Journal
    let gates = Gates()

    init(journal: Journal) {
        self.journal = journal
    }

    var rowIDs: Set<String> { state.withLock { Set($0.rows.keys) } }
    var counters: [Int: Int] { state.withLock { $0.counters } }

    func loseCommitReply(ofBatchStartingWith id: String) { state.withLock { _ = $0.lostReplies.insert(id) } }

    func prepareSchema(deadline: Deadline) async throws -> SchemaMigrator.Report { SchemaMigrator.Report() }

    func write(_ messages: [QueueMessage], session: Int, deadline: Deadline) async throws -> RowWriter.Outcome {
        let first = messages.first?.id ?? ""
        journal.record(.writeStarted(session: session, first: first))
        try await gates.pass(first)
        let (inserted, loseReply) = state.withLock { state in
            let new = messages.filter { state.rows[$0.id] == nil }
            for message in new { state.rows[message.id] = message.count }
            state.counters[session, default: 0] += new.count
            return (new.count, state.lostReplies.remove(first) != nil)
        }
        journal.record(.committed(session: session, first: first, inserted: inserted))
        if loseReply { throw DatabaseError(code: 2013, message: "Lost connection to server during query") }
        return RowWriter.Outcome(inserted: inserted, duplicates: messages.count - inserted)
    }
}

final class FakeHistory: IngestHistory {
    private let counts = Mutex<[String: Int]>([:])

    var values: [String: Int] { counts.withLock { $0 } }

    func count(_ field: String, _ amount: Int) {
        counts.withLock { $0[field, default: 0] += amount }
    }
}

/// Waits that return at once (a cancelled task's throw), each recorded.
final class InstantWaits: Sendable {
    private let recorded = Mutex<[Duration]>([])

    var waits: [Duration] { recorded.withLock { $0 } }

    var clock: IngestClock {
        IngestClock(sleep: { [self] duration in
            recorded.withLock { $0.append(duration) }
            try Task.checkCancellation()
            await Task.yield()
        })
    }
}

func messages(_ ids: ClosedRange<Int>, prefix: String = "m") -> [QueueMessage] {
    ids.map { QueueMessage(id: "\(prefix)\($0)", count: Int64($0), enqueuedAtMilliseconds: 1_000 + UInt64($0)) }
}
