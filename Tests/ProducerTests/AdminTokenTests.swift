import Hummingbird
import Shared
import Testing

@testable import Producer

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
