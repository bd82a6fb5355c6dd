/// The one check of an `Authorization: Bearer <token>` header, for the write token and the admin
/// token alike. The scheme is matched in any case (RFC 9110 §11.1); the comparison looks at every
/// byte of the longer of the two inputs and folds the whole length difference in, so its time says
/// nothing about how much of a guess was right and no longer or shorter input can compare equal.
struct BearerToken: Sendable {
    enum Verdict: Equatable {
        /// No header, another scheme, or no credentials after `Bearer`.
        case missing
        case wrong
        case accepted
    }

    private let expected: [UInt8]

    init(_ token: String) {
        expected = Array(token.utf8)
    }

    func check(_ header: String?) -> Verdict {
        guard let presented = Self.credentials(header) else { return .missing }
        return Self.constantTimeEqual(Array(presented.utf8), expected) ? .accepted : .wrong
    }

    /// The credentials of `Bearer <credentials>` (the scheme in any case, spaces after it skipped), or nil.
    static func credentials(_ header: String?) -> Substring? {
        guard let header, let space = header.firstIndex(of: " ") else { return nil }
        guard header[..<space].lowercased() == "bearer" else { return nil }
        let credentials = header[header.index(after: space)...].drop { $0 == " " }
        return credentials.isEmpty ? nil : credentials
    }

    /// Equality over every byte of the longer input, with the full length difference folded in.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference = UInt(bitPattern: given.count ^ expected.count)
        for index in 0..<max(given.count, expected.count) {
            let left = index < given.count ? given[index] : 0
            let right = index < expected.count ? expected[index] : 0
            difference |= UInt(left ^ right)
        }
        return difference == 0
    }
}
