import Synchronization
import Testing

@testable import Redis

/// `ClusterRouter` with a fake `CLUSTER SLOTS` and a clock stepped by hand: when it reads the map,
/// whom it asks, and in which order, without a cluster.
@Suite struct ClusterRouterTests {
    private static let seed = RedisNodeAddress(host: "seed", port: 7000)
    private static let a = RedisNodeAddress(host: "a", port: 7001)
    private static let b = RedisNodeAddress(host: "b", port: 7002)

    /// A slot map with `first` serving slots 0–8191 and `second` the rest.
    private static func map(_ first: RedisNodeAddress, _ second: RedisNodeAddress) throws -> ClusterSlotMap {
        func node(_ address: RedisNodeAddress) -> RedisValue { .array([.bulk(Array(address.host.utf8)), .integer(Int64(address.port))]) }
        return try ClusterSlotMap(
            clusterSlots: .array([
                .array([.integer(0), .integer(8191), node(first)]), .array([.integer(8192), .integer(16383), node(second)]),
            ]),
            askedHost: "seed")
    }

    /// The fake cluster: what each node answers to CLUSTER SLOTS, and every node asked, in order.
    private final class FakeCluster: Sendable {
        let answers: Mutex<[RedisNodeAddress: Result<ClusterSlotMap, RedisError>]>
        let asked = Mutex<[RedisNodeAddress]>([])
        let clock = Mutex(ContinuousClock.now)

        init(_ answers: [RedisNodeAddress: Result<ClusterSlotMap, RedisError>]) {
            self.answers = Mutex(answers)
        }

        func router() -> ClusterRouter {
            ClusterRouter(seed: ClusterRouterTests.seed, minimumRefreshInterval: .milliseconds(100), now: { self.clock.withLock { $0 } }) { node in
                self.asked.withLock { $0.append(node) }
                guard let answer = self.answers.withLock({ $0[node] }) else { throw RedisError(kind: .connection, message: "\(node) is down") }
                return try answer.get()
            }
        }

        func advance(_ duration: Duration) { clock.withLock { $0 = $0 + duration } }
        var askedSoFar: [RedisNodeAddress] { asked.withLock { $0 } }
    }

    @Test func theMapIsReadOnceFromTheSeedAndKeptUntilSomethingSuggestsItChanged() async throws {
        let cluster = FakeCluster([Self.seed: .success(try Self.map(Self.a, Self.b))])
        let router = cluster.router()
        #expect(try await router.primary(forSlot: 100) == Self.a)
        #expect(try await router.primary(forSlot: 9000) == Self.b)
        #expect(try await router.primary(forSlot: nil) == Self.a, "a keyless command goes to any primary")
        #expect(cluster.askedSoFar == [Self.seed])
    }

    @Test func aStaleMapIsReadAgainButNotMoreOftenThanTheMinimumInterval() async throws {
        let cluster = FakeCluster([Self.seed: .success(try Self.map(Self.a, Self.b))])
        let router = cluster.router()
        _ = try await router.primary(forSlot: 1)
        // A MOVED reply: slot 1 is b's now.
        cluster.answers.withLock { $0[Self.seed] = .success(try! Self.map(Self.b, Self.b)) }
        await router.markStale()
        cluster.advance(.milliseconds(50))
        #expect(try await router.primary(forSlot: 1) == Self.a, "within 100 ms of the last read: the old map, no CLUSTER SLOTS")
        #expect(cluster.askedSoFar == [Self.seed])
        cluster.advance(.milliseconds(60))
        #expect(try await router.primary(forSlot: 1) == Self.b, "past the interval the stale map is read again")
        #expect(cluster.askedSoFar == [Self.seed, Self.seed])
    }

    @Test func whenTheSeedIsDownTheKnownPrimariesAreAskedInTurn() async throws {
        let cluster = FakeCluster([Self.seed: .success(try Self.map(Self.a, Self.b))])
        let router = cluster.router()
        _ = try await router.primary(forSlot: 1)
        // A failover: the seed and a are gone, b answers with the map where it serves everything.
        cluster.answers.withLock { answers in
            answers[Self.seed] = nil
            answers[Self.b] = .success(try! Self.map(Self.b, Self.b))
        }
        await router.markStale()
        cluster.advance(.seconds(1))
        #expect(try await router.primary(forSlot: 1) == Self.b)
        #expect(cluster.askedSoFar == [Self.seed, Self.seed, Self.a, Self.b], "the seed first, then each primary known so far")
    }

    @Test func whenNoNodeAnswersTheLastErrorIsThrownAndTheNextLookupTriesAgain() async throws {
        let cluster = FakeCluster([:])
        let router = cluster.router()
        await #expect(throws: RedisError(kind: .connection, message: "\(Self.seed) is down")) { try await router.primary(forSlot: 1) }
        cluster.answers.withLock { $0[Self.seed] = .success(try! Self.map(Self.a, Self.b)) }
        #expect(try await router.primary(forSlot: 1) == Self.a, "an empty map is never kept back by the interval")
    }

    @Test func aSlotNoPrimaryServesIsClusterDownAndMarksTheMapStale() async throws {
        let partial = try ClusterSlotMap(
            clusterSlots: .array([.array([.integer(0), .integer(99), .array([.bulk(Array("a".utf8)), .integer(7001)])])]), askedHost: "seed")
        let cluster = FakeCluster([Self.seed: .success(partial)])
        let router = cluster.router()
        await #expect { try await router.primary(forSlot: 5000) } throws: { ($0 as? RedisError)?.kind == .unavailable }
        cluster.answers.withLock { $0[Self.seed] = .success(try! Self.map(Self.a, Self.b)) }
        cluster.advance(.seconds(1))
        #expect(try await router.primary(forSlot: 5000) == Self.a)
        #expect(cluster.askedSoFar == [Self.seed, Self.seed])
    }
}
