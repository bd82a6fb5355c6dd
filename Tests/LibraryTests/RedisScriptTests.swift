import Testing

@testable import Redis

@Suite struct RedisScriptTests {
    /// Digests with a leading zero nibble in some bytes (…0709), so the hex keeps two digits per byte.
    @Test func sha1HexMatchesKnownDigests() {
        #expect(RedisScript.sha1Hex([]) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(RedisScript.sha1Hex(Array("abc".utf8)) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(RedisScript.sha1Hex(Array(String(repeating: "a", count: 1000).utf8)) == "291e9a6c66994949b57ba5e650361e98fc36b1ba")
    }

    @Test func aScriptIsNamedByTheSHA1OfItsText() {
        #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
    }
}
