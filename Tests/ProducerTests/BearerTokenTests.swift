import Testing

@testable import Producer

/// The one bearer-token check both tokens go through (`WRITE_TOKEN`, `ADMIN_TOKEN`), with inputs
/// drawn at random: nothing but the exact token is accepted, whatever is added, cut or changed.
@Suite struct BearerTokenTests {
    private static let token = "0123456789abcdef-write-token"
    private let check = BearerToken(Self.token)

    private static let alphabet = Array("abcXYZ019-_.~+/=é漢🙂\u{0}\u{7F} ")

    private static func text(length: Int, using random: inout SystemRandomNumberGenerator) -> String {
        String((0..<length).map { _ in alphabet.randomElement(using: &random)! })
    }

    @Test func theRightTokenIsAcceptedWithTheSchemeInAnyCase() {
        for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
            #expect(check.check("\(scheme) \(Self.token)") == .accepted, "\(scheme)")
        }
        #expect(check.check("Bearer   \(Self.token)") == .accepted, "spaces after the scheme are skipped")
    }

    @Test func theRightTokenFollowedBy256BytesIsRefused() {
        // The old write-token check folded only the low byte of the length difference in: 256 more bytes compared equal.
        for extra in [256, 512, 1024] {
            #expect(check.check("Bearer \(Self.token)\(String(repeating: "x", count: extra))") == .wrong, "\(extra) extra bytes")
            #expect(check.check("Bearer \(Self.token)\(String(repeating: "\u{0}", count: extra))") == .wrong, "\(extra) NUL bytes")
        }
    }

    /// Random inputs; a failure names the input that was accepted.
    @Test func anyAddedSuffixOrPrefixIsRefused() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<1000 {
            let extra = Self.text(length: Int.random(in: 1...300, using: &random), using: &random)
            #expect(check.check("Bearer \(Self.token)\(extra)") == .wrong, "suffix \(extra.debugDescription)")
            // Spaces right after the scheme are the separator (RFC 6750: 1*SP), so they do not count as a
            // prefix; an extra of spaces only leaves no prefix at all, and the token alone is right.
            let prefix = extra.drop { $0 == " " }
            guard !prefix.isEmpty else { continue }
            #expect(check.check("Bearer \(prefix)\(Self.token)") != .accepted, "prefix \(prefix.debugDescription)")
        }
    }

    @Test func anyCutOrChangedTokenIsRefused() {
        var random = SystemRandomNumberGenerator()
        let bytes = Array(Self.token.utf8)
        for _ in 0..<1000 {
            let cut = String(decoding: bytes.prefix(Int.random(in: 1..<bytes.count, using: &random)), as: UTF8.self)
            #expect(check.check("Bearer \(cut)") == .wrong, "\(cut)")
            var changed = bytes
            let position = Int.random(in: 0..<changed.count, using: &random)
            changed[position] ^= UInt8.random(in: 1...255, using: &random)
            #expect(!BearerToken.constantTimeEqual(changed, bytes), "byte \(position) changed")
        }
    }

    @Test func emptyAndMalformedHeadersAreMissingNotWrong() {
        for header in [nil, "", "Bearer", "Bearer ", "Bearer    ", "Basic \(Self.token)", Self.token, "Bearer\(Self.token)"] as [String?] {
            #expect(check.check(header) == .missing, "\(header.debugDescription)")
        }
    }

    @Test func unicodeLookalikesAndHugeInputsAreRefused() {
        #expect(check.check("Bearer \(Self.token.replacingOccurrences(of: "e", with: "é"))") == .wrong)
        #expect(check.check("Bearer \(Self.token.uppercased())") == .wrong, "the token itself is case-sensitive")
        #expect(check.check("Bearer 🙂\(Self.token)") == .wrong)
        let huge = String(repeating: "a", count: 64 * 1024)
        #expect(check.check("Bearer \(huge)") == .wrong)
        #expect(check.check("Bearer \(Self.token)\(huge)") == .wrong)
        #expect(BearerToken(huge).check("Bearer \(huge)") == .accepted)
        #expect(BearerToken(huge).check("Bearer \(huge.dropLast())") == .wrong)
    }

    @Test func comparisonLooksAtTheWholeLengthDifference() {
        let token = Array(Self.token.utf8)
        #expect(BearerToken.constantTimeEqual(token, token))
        #expect(!BearerToken.constantTimeEqual(token + [UInt8](repeating: 0, count: 256), token))
        #expect(!BearerToken.constantTimeEqual([], token))
        #expect(!BearerToken.constantTimeEqual(token, []))
        #expect(BearerToken.constantTimeEqual([], []))
    }
}
