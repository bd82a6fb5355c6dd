import Synchronization

/// Unique, time-ordered message ids in the UUID version 7 layout (RFC 9562): 48 bits of Unix
/// milliseconds, then randomness. Time order keeps the database's unique index append-mostly.
public enum MessageID {
    /// Ids are 1 to 64 characters of this alphabet, so they never need escaping in JSON or SQL.
    public static let maxLength = 64

    public static func make(now: UInt64 = UnixTime.milliseconds()) -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: now >> (8 * (5 - i))) }
        let random = (rng.next() as UInt64, rng.next() as UInt64)
        for i in 6..<16 {
            let word = i < 11 ? random.0 : random.1
            bytes[i] = UInt8(truncatingIfNeeded: word >> (8 * (i % 8)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return format(bytes)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func format(_ bytes: [UInt8]) -> String {
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// Whether `id` may be used as a message id.
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= maxLength
            && id.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: ":"),
                    UInt8(ascii: "."):
                    true
                default: false
                }
            }
    }
}
