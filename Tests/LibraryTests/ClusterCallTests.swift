import Synchronization
import Testing

@testable import Redis

/// `ClusterCall` against fake nodes: which node gets which commands, in which order, with or without
/// ASKING, and what it does to the router's map, for the orders of events a real cluster makes
/// only during a migration or a failover.
@Suite struct ClusterCallTests {
    private static let a = RedisNodeAddress(host: "a", port: 7001)
    private static let b = RedisNodeAddress(host: "b", port: 7002)

    /// One node serving every slot (`a`), read from a fake CLUSTER SLOTS that counts its reads.
    private final class Reads: Sendable {
        let count = Atomic<Int>(0)
    }

    private final class Fixture: Sendable {
        private let reads: Reads
        /// How often the router read CLUSTER SLOTS: once at first, again after each event that marks it stale.
        var slotReads: Int { reads.count.load(ordering: .relaxed) }
        /// Each send: the node, whether ASKING came first, the commands' first arguments.
        let sends = Mutex<[(node: RedisNodeAddress, asking: Bool, commands: [String])]>([])
        let router: ClusterRouter

        init() {
            let reads = Reads()
            self.reads = reads
            router = ClusterRouter(seed: ClusterCallTests.a, minimumRefreshInterval: .zero) { [reads] _ in
                reads.count.add(1, ordering: .relaxed)
                return try ClusterSlotMap(
                    clusterSlots: .array([.array([.integer(0), .integer(16383), .array([.bulk(Array("a".utf8)), .integer(7001)])])]),
                    askedHost: "a")
            }
        }

        /// Runs `commands` (their names only) with `answer` playing the nodes.
        func run(
            _ commands: [String], answer: @escaping @Sendable (RedisNodeAddress, Bool, [String]) throws -> [RedisValue]
        ) async throws -> [RedisValue] {
            try await ClusterCall.run(commands.map { [Array($0.utf8)] }, slot: 42, router: router) { sent, node, asking in
                let names = sent.map { String(decoding: $0[0], as: UTF8.self) }
                self.sends.withLock { $0.append((node, asking, names)) }
                return try answer(node, asking, names)
            }
        }

        var log: [String] {
            sends.withLock { $0.map { "\($0.node.host)\($0.asking ? " asking" : ""): \($0.commands.joined(separator: " "))" } }
        }
    }

    @Test func withoutRedirectsOneSendAnswersEverything() async throws {
        let fixture = Fixture()
        let replies = try await fixture.run(["GET", "INCR"]) { _, _, names in names.map { .status($0) } }
        #expect(replies == [.status("GET"), .status("INCR")])
        #expect(fixture.log == ["a: GET INCR"])
    }

    @Test func onlyTheMovedCommandsGoAgainAndTheRepliesStayInOrder() async throws {
        let fixture = Fixture()
        let replies = try await fixture.run(["ONE", "TWO", "THREE"]) { node, _, names in
            names.map { name in node == Self.a && name == "TWO" ? .error("MOVED 42 b:7002") : .status("\(name)@\(node.host)") }
        }
        #expect(replies == [.status("ONE@a"), .status("TWO@b"), .status("THREE@a")])
        #expect(fixture.log == ["a: ONE TWO THREE", "b: TWO"])
        _ = try await fixture.run(["GET"]) { _, _, _ in [.status("OK")] }
        #expect(fixture.slotReads == 2, "MOVED marked the map stale: the next call read it again")
    }

    @Test func askSendsTheCommandAfterASKINGToTheImportingNodeOnce() async throws {
        let fixture = Fixture()
        let replies = try await fixture.run(["SET"]) { node, asking, _ in
            switch (node, asking) {
            case (Self.a, false): [.error("ASK 42 b:7002")]
            case (Self.b, true): [.status("OK")]
            default: [.error("MOVED 42 a:7001")]
            }
        }
        #expect(replies == [.status("OK")])
        #expect(fixture.log == ["a: SET", "b asking: SET"])
        // ASK is for one command: the next call goes to a again, without reading the map again.
        _ = try await fixture.run(["GET"]) { _, _, _ in [.status("OK")] }
        #expect(fixture.log.last == "a: GET")
        #expect(fixture.slotReads == 1)
    }

    @Test func aLostConnectionIsThrownAndTheNextCallReadsTheMapAgain() async throws {
        let fixture = Fixture()
        #expect(try await fixture.run(["PING"]) { _, _, _ in [.status("PONG")] } == [.status("PONG")])
        await #expect(throws: RedisError.self) {
            try await fixture.run(["GET"]) { _, _, _ in throw RedisError(kind: .connection, message: "reset by peer") }
        }
        #expect(fixture.slotReads == 1)
        // The router was told: the next lookup reads the map again (a replica may have taken over).
        let replies = try await fixture.run(["GET"]) { _, _, _ in [.status("OK")] }
        #expect(replies == [.status("OK")])
        #expect(fixture.slotReads == 2)
    }

    @Test func aRedirectLoopEndsAfterFiveRedirectsWithTryAgain() async throws {
        let fixture = Fixture()
        await #expect { try await fixture.run(["GET"]) { node, _, _ in [.error(node == Self.a ? "MOVED 42 b:7002" : "MOVED 42 a:7001")] } } throws: {
            ($0 as? RedisError).map { $0.kind == .unavailable && $0.message.hasPrefix("TRYAGAIN") } == true
        }
        #expect(fixture.log.count == ClusterCall.maxRedirects + 1)
    }

    @Test func anErrorReplyThatIsNoRedirectIsTheCommandsReply() async throws {
        let fixture = Fixture()
        let replies = try await fixture.run(["GET", "SET"]) { _, _, names in
            names.map { $0 == "GET" ? .error("WRONGTYPE Operation against a key holding the wrong kind of value") : .status("OK") }
        }
        #expect(replies == [.error("WRONGTYPE Operation against a key holding the wrong kind of value"), .status("OK")])
        #expect(fixture.log == ["a: GET SET"])
        _ = try await fixture.run(["GET"]) { _, _, _ in [.error("CLUSTERDOWN The cluster is down")] }
        _ = try await fixture.run(["GET"]) { _, _, _ in [.status("OK")] }
        #expect(fixture.slotReads == 2, "CLUSTERDOWN marked the map stale, WRONGTYPE did not")
    }
}
