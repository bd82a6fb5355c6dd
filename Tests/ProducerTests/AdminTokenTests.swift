import Hummingbird
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
