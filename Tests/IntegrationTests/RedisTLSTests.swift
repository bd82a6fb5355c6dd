import Foundation
import Redis
import Testing

/// TLS to Redis through swift-nio-ssl, on whichever hiredis this build links (Debian 12's 0.14
/// has no TLS of its own), against a redis-server of the test's own that speaks only TLS.
@Suite(.serialized, .timeLimit(.minutes(3)), .needsTestServers)
struct RedisTLSTests {
    /// The certificate names localhost and 127.0.0.1: a name is checked as SNI, an address as
    /// such, and REDIS_TLS_SERVER_NAME stands in for the host connected to.
    @Test(arguments: [("127.0.0.1", nil), ("localhost", nil), ("127.0.0.1", "localhost")] as [(String, String?)])
    func pipelinedCommandsOverAVerifiedConnection(host: String, serverName: String?) async throws {
        let server = try OwnTLSRedis()
        let settings = server.settings(host: host, serverName: serverName)
        let client = settings.client()
        let key = settings.queue.name
        try await withThrowingDiscardingTaskGroup { group in
            for value in 0..<200 {
                group.addTask { try await client.run(["RPUSH", key, String(value)], deadline: .after(.seconds(5))) }
            }
        }
        #expect(try await client.run(["LLEN", key], deadline: .after(.seconds(5))).integer == 200)
        await client.shutdown()
    }

    @Test func producerAndConsumerCarryValuesOverTLSAsACLUsers() async throws {
        let server = try OwnTLSRedis()
        var settings = server.settings()
        let admin = settings.client()
        let password = TestServices.uniqueName("secret")
        for program in ["producer", "consumer"] {
            let template = RedisAccessTests.repositoryRoot.appendingPathComponent("terraform/modules/redis/acl/\(program).tftpl")
            let rule = try String(contentsOf: template, encoding: .utf8).replacingOccurrences(of: "${queue}", with: settings.queue.name)
            try await admin.run(["ACL", "SETUSER", program, "reset"] + rule.split(whereSeparator: \.isWhitespace).map(String.init) + [">\(password)"],
                                deadline: .after(.seconds(5)))
        }
        await admin.shutdown()
        settings.settings.password = password
        var consumerSettings = settings
        consumerSettings.settings.username = "consumer"
        settings.settings.username = "producer"

        let database = try TestServices.freshDatabase()
        let consumer = RunningConsumer(TestServices.consumerConfiguration(redis: consumerSettings, database: database))
        try await RedisAccessTests.producer(redis: settings, database: database).test(.live) { client in
            for value in 1...20 {
                let status = try await client.postCount(value).status
                #expect(status == .created)
            }
            let drained = await TestServices.eventually { try TestServices.rowCount(database) == 20 }
            #expect(drained)
        }
        try await consumer.stop()
    }

    enum Mistake: String, CaseIterable, Sendable {
        case foreignCA = "a CA that did not sign the server's certificate"
        case otherName = "a name the certificate does not carry"
    }

    @Test(arguments: ["Producer", "Consumer"], Mistake.allCases)
    func anUntrustedServerStopsTheProgramAtStartWithOneLine(program: String, mistake: Mistake) throws {
        let server = try OwnTLSRedis(names: "DNS:localhost")
        var tls = ["REDIS_TLS": "true", "REDIS_TLS_CA_FILE": server.caFile]
        let reason: String
        switch mistake {
        case .foreignCA:
            tls["REDIS_TLS_CA_FILE"] = server.foreignCAFile
            reason = "does not chain to \(server.foreignCAFile)"
        case .otherName:
            tls["REDIS_TLS_SERVER_NAME"] = "elsewhere.example"
            reason = "does not name elsewhere.example"
        }
        let (status, text) = try TestServices.runToEnd(TestServices.binary(program), environment: TestServices.programEnvironment(
            redis: server.settings(), database: try TestServices.freshDatabase(), tls))

        #expect(status == 1, "\(text)")
        let refusals = text.split(separator: "\n").filter { $0.contains("refused this program: TLS with") }
        #expect(refusals.count == 1, "\(text)")
        #expect(refusals.first?.contains("certificate verify failed") == true, "\(text)")
        #expect(refusals.first?.contains(reason) == true, "\(text)")
    }
}
