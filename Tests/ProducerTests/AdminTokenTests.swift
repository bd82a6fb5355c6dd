import Hummingbird
import Settings
import Testing

@testable import Producer

@Suite struct AdminTokenTests {
    @Test func comparesWholeTokensOnly() {
        let token = Array("s3cret-token-0123456789".utf8)
        #expect(AdminTokenMiddleware<BasicRequestContext>.constantTimeEqual(token, token))
        #expect(!AdminTokenMiddleware<BasicRequestContext>.constantTimeEqual(Array(token.dropLast()), token))
        #expect(!AdminTokenMiddleware<BasicRequestContext>.constantTimeEqual(token + [0], token))
        #expect(!AdminTokenMiddleware<BasicRequestContext>.constantTimeEqual([], token))
    }
}

@Suite struct AdminTokenSettingTests {
    private let base = ["REDIS_HOST": "r", "DB_HOST": "d", "DB_USER": "u", "DB_PASSWORD": "p"]

    @Test func isOffUnlessSetAndRefusedWhenTooShort() throws {
        #expect(try ProducerConfiguration(environment: EnvironmentReader(base)).adminToken == nil)
        let token = "0123456789abcdef-long-enough"
        #expect(try ProducerConfiguration(environment: EnvironmentReader(base.merging(["ADMIN_TOKEN": token]) { $1 })).adminToken == token)
        #expect {
            try ProducerConfiguration(environment: EnvironmentReader(base.merging(["ADMIN_TOKEN": "short"]) { $1 }))
        } throws: { "\($0)".hasPrefix("configuration error: ADMIN_TOKEN must be 16 to 256") && !"\($0)".contains("short") }
    }
}
