import NIOCore
import NIOEmbedded
import Resilience
import Synchronization
import Testing

@testable import Redis

/// A lane's reconnect state (`Lane`: the shared connection of `RedisNodeConnections`) with a fake
/// connect that makes `RedisConnection`s over NIO's embedded channel and holds each attempt until
/// the test lets it finish: kept while it works, replaced once broken, one attempt for many callers.
@Suite(.timeLimit(.minutes(1)))
struct LaneTests {
    private static let node = RedisNodeAddress(host: "embedded", port: 6379)

    /// The fake connect: counts attempts; each one waits for `finish` (or fails with `failNext`).
    private final class FakeNode: Sendable {
        private let state = Mutex<(attempts: Int, held: [CheckedContinuation<Void, Never>], open: Bool, failNext: Bool)>((0, [], true, false))
        private let attempted = Mutex<[CheckedContinuation<Void, Never>]>([])

        var attempts: Int { state.withLock { $0.attempts } }

        /// From now on attempts wait for `finish()`.
        func hold() { state.withLock { $0.open = false } }

        func failNextAttempt() { state.withLock { $0.failNext = true } }

        /// Lets every waiting attempt (and later ones) complete.
        func finish() {
            let held = state.withLock { state in
                state.open = true
                defer { state.held = [] }
                return state.held
            }
            held.forEach { $0.resume() }
        }

        /// Returns once an attempt has begun.
        func waitForAnAttempt() async {
            await withCheckedContinuation { continuation in
                let begun = state.withLock { $0.attempts > 0 }
                if begun { continuation.resume() } else { attempted.withLock { $0.append(continuation) } }
            }
        }

        var connect: Lane.Connect {
            { [self] address, _ throws(RedisError) in
                let fail = state.withLock { state in
                    state.attempts += 1
                    defer { state.failNext = false }
                    return state.failNext
                }
                attempted.withLock { waiting in
                    defer { waiting = [] }
                    return waiting
                }.forEach { $0.resume() }
                await withCheckedContinuation { continuation in
                    let open = state.withLock { state in
                        if !state.open { state.held.append(continuation) }
                        return state.open
                    }
                    if open { continuation.resume() }
                }
                if fail { throw RedisError(kind: .connection, message: "connection refused") }
                let channel = EmbeddedChannel()
                let failure = RedisChannelHandler.Failure()
                do {
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(
                        reader: RedisReplyReader(), failureSeen: failure, describe: { RedisError(kind: .connection, message: "\($0)") }))
                    try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
                } catch {
                    throw RedisError(kind: .connection, message: "embedded channel: \(error)")
                }
                return RedisConnection(address: address, channel: channel, failure: failure)
            }
        }
    }

    @Test func aWorkingConnectionIsKeptAndABrokenOneIsReplacedOnNextUse() async throws {
        let (lane, fake) = (Lane(), FakeNode())
        let first = try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5)))
        let again = try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5)))
        #expect(first === again && fake.attempts == 1)
        first.close()
        #expect(!first.isUsable)
        let replaced = try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5)))
        #expect(replaced !== first && replaced.isUsable && fake.attempts == 2)
        lane.close()
    }

    @Test func callersThatFindTheLaneEmptyShareOneAttempt() async throws {
        let (lane, fake) = (Lane(), FakeNode())
        fake.hold()
        let callers = (0..<3).map { _ in Task { try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5))) } }
        await fake.waitForAnAttempt()
        for _ in 0..<100 { await Task.yield() }  // the other callers reach the lane while the attempt is held
        fake.finish()
        var connections: [RedisConnection] = []
        for caller in callers { connections.append(try await caller.value) }
        #expect(connections.allSatisfy { $0 === connections[0] })
        #expect(fake.attempts == 1)
        lane.close()
    }

    @Test func aFailedAttemptLeavesTheLaneEmptyForTheNextCaller() async throws {
        let (lane, fake) = (Lane(), FakeNode())
        fake.failNextAttempt()
        await #expect(throws: RedisError(kind: .connection, message: "connection refused")) {
            try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5)))
        }
        let connection = try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5)))
        #expect(connection.isUsable && fake.attempts == 2)
        lane.close()
    }

    @Test func aCancelledCallerStopsWaitingWhileTheAttemptGoesOnForTheNext() async throws {
        let (lane, fake) = (Lane(), FakeNode())
        fake.hold()
        let cancelled = Task { try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5))) }
        await fake.waitForAnAttempt()
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        fake.finish()
        let next = try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5)))
        #expect(next.isUsable && fake.attempts == 1, "the attempt the cancelled caller started served the next one")
        lane.close()
    }

    @Test func aClosedLaneRefusesAndClosesAConnectionThatArrivesAfterwards() async throws {
        let (lane, fake) = (Lane(), FakeNode())
        fake.hold()
        let caller = Task { try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5))) }
        await fake.waitForAnAttempt()
        lane.close()
        fake.finish()
        #expect(try await !caller.value.isUsable, "shut down while connecting: the new connection is closed at once")
        await #expect(throws: RedisError.self) { try await lane.connection(to: Self.node, by: fake.connect, deadline: .after(.seconds(5))) }
    }
}
