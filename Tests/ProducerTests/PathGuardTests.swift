import Hummingbird
import Testing

@testable import Producer

@Suite struct PathGuardTests {
    @Test(arguments: ["/index.html%00.json", "/css%00/x", "/a%0ab", "/a%7F", "/a%1F", "/a\u{01}b"])
    func refusesControlCharacters(path: String) {
        #expect(PathGuardMiddleware<BasicRequestContext>.hasControlCharacter(path))
    }

    @Test(arguments: ["/", "/index.html", "/css/dashboard.css", "/a%20b", "/%2e%2e/x", "/100%", "/a%zz", "/%e2%82%ac"])
    func letsOrdinaryPathsThrough(path: String) {
        #expect(!PathGuardMiddleware<BasicRequestContext>.hasControlCharacter(path))
    }
}
