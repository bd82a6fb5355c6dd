import NIOCore
import Redis
import Testing

/// Many commands in flight on one connection: each caller gets its own reply, and a command past
/// its deadline fails and takes its connection with it, so no later command can get its reply.
@Suite(.serialized, .timeLimit(.minutes(1)), .needsTestServers)
struct RedisPipeliningTests {
    private static func connect() async throws -> RedisConnection {
        let settings = TestServices.redis().settings
        return try await RedisConnection.connect(
            to: RedisNodeAddress(host: settings.host, port: settings.port), username: nil, password: nil, tls: nil,
            deadline: .after(.seconds(5))
        ).get()
    }

    @Test func concurrentCallersOnOneConnectionEachGetTheirOwnReply() async throws {
        let connection = try await Self.connect()
        defer { connection.close() }
        try await withThrowingDiscardingTaskGroup { group in
            for caller in 0..<500 {
                group.addTask {
                    let commands = [["ECHO", "caller \(caller)"], ["ECHO", "again \(caller)"]].map { $0.map { Array($0.utf8) } }
                    let replies = try await connection.send(commands, deadline: .after(.seconds(10))).get()
                    #expect(replies == [.bulk(Array("caller \(caller)".utf8)), .bulk(Array("again \(caller)".utf8))])
                }
            }
        }
        #expect(connection.isUsable)
    }

    @Test func aCommandPastItsDeadlineFailsAndClosesItsConnection() async throws {
        let connection = try await Self.connect()
        let key = TestServices.uniqueName("empty")
        let started = ContinuousClock.now
        await #expect {
            _ = try await connection.send([["BLPOP", key, "2"].map { Array($0.utf8) }], deadline: .after(.milliseconds(200))).get()
        } throws: { error in
            (error as? RedisError)?.kind == .connection && "\(error)".contains("no reply within the deadline")
        }
        #expect(ContinuousClock.now - started < .seconds(1.5), "failed at its deadline, not when the server answered")
        // The reply still owed never reaches anyone: the connection is gone, later commands fail at once.
        #expect(!connection.isUsable)
        await #expect(throws: RedisError.self) {
            _ = try await connection.send([["PING"].map { Array($0.utf8) }], deadline: .after(.seconds(1))).get()
        }
    }
}
