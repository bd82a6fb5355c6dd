import Queue

/// A batch as it came from one shard's queue, decoded as it arrives: a batch fetched ahead is
/// decoded while the ones before it are in their transactions, so the Consumer's own work overlaps
/// the database's too.
struct FetchedBatch: Equatable, Sendable {
    let shard: Int
    let entries: [[UInt8]]
    let decoded: DecodedBatch

    init(shard: Int, entries: [[UInt8]]) {
        self.shard = shard
        self.entries = entries
        self.decoded = DecodedBatch(entries: entries)
    }
}

/// A batch whose rows are committed; its acknowledge (with its dead letters) is still to come.
struct CommittedBatch: Equatable, Sendable {
    let shard: Int
    let entries: [[UInt8]]
    let deadLetters: [DeadLetter]
}

/// The batches a consumer holds, in the order it fetched them: at most one fetched ahead and
/// waiting for a write session, one in its transaction on each busy session, and committed ones
/// waiting for the batches fetched before them, because acknowledgements go in fetch order (each
/// shard's processing list is trimmed from its head, and a batch is acknowledged only once
/// committed). Pure bookkeeping, no I/O: `IngestLoop` does the calls.
struct WriteWindow {
    /// A batch started on a session; `committed` once its transaction is.
    private struct Held {
        let sequence: Int
        let batch: FetchedBatch
        var committed: CommittedBatch?
    }

    /// Fetched and waiting for a free session.
    private(set) var ready: FetchedBatch?
    /// Started, oldest first; the committed ones at its head are taken for acknowledging.
    private var held: [Held] = []
    /// Free write sessions; the lowest first.
    private var freeSessions: [Int]
    private var nextSequence = 0

    init(sessions: Int) {
        precondition(sessions > 0)
        freeSessions = Array((0..<sessions).reversed())
    }

    /// A batch taken from the queue; the window holds at most one that has not started.
    mutating func fetched(_ batch: FetchedBatch) {
        precondition(ready == nil, "a batch is already waiting for a session")
        ready = batch
    }

    var hasFreeSession: Bool { !freeSessions.isEmpty }

    /// Writes started and not committed yet.
    var writing: Int { held.count { $0.committed == nil } }

    /// Nothing fetched, writing or waiting to be acknowledged.
    var isEmpty: Bool { ready == nil && held.isEmpty }

    /// A write to start: the waiting batch on a free session, if there are both.
    mutating func startNext() -> (sequence: Int, session: Int, batch: FetchedBatch)? {
        guard let batch = ready, let session = freeSessions.popLast() else { return nil }
        ready = nil
        defer { nextSequence += 1 }
        held.append(Held(sequence: nextSequence, batch: batch))
        return (nextSequence, session, batch)
    }

    /// The write `sequence` on `session` committed: the session is free again.
    mutating func committed(sequence: Int, session: Int, _ batch: CommittedBatch) {
        guard let index = held.firstIndex(where: { $0.sequence == sequence }) else {
            preconditionFailure("write \(sequence) is not in the window")
        }
        held[index].committed = batch
        freeSessions.append(session)
        freeSessions.sort(by: >)
    }

    /// The committed batches at the head, in fetch order, out of the window: they are to be
    /// acknowledged now. A committed batch behind one still writing waits for it.
    mutating func takeAcknowledgeable() -> [CommittedBatch] {
        let ready = held.prefix { $0.committed != nil }.compactMap(\.committed)
        held.removeFirst(ready.count)
        return ready
    }

    /// How many entries at the head of `shard`'s processing list this consumer holds (the fetch
    /// script skips them): every batch from that shard not acknowledged yet, in fetch order.
    func heldEntries(onShard shard: Int) -> Int {
        held.reduce(0) { $0 + ($1.batch.shard == shard ? $1.batch.entries.count : 0) }
            + (ready?.shard == shard ? ready?.entries.count ?? 0 : 0)
    }
}
