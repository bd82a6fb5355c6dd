#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Unique, time-ordered message ids in the UUID version 7 layout (RFC 9562): 48 bits of Unix
/// milliseconds, then randomness. Time order keeps the database's unique index append-mostly.
public enum MessageID {
    /// Ids are 1 to 64 characters of this alphabet, so they never need escaping in JSON or SQL.
    public static let maxLength = 64

    public static func make(now: UInt64 = UnixTime.milliseconds()) -> String {
        var bytes = RandomBytes.shared.next()
        withUnsafeMutableBytes(of: &bytes) { id in
            for i in 0..<6 { id[i] = UInt8(truncatingIfNeeded: now >> (8 * (5 - i))) }
            id[6] = (id[6] & 0x0F) | 0x70  // version 7
            id[8] = (id[8] & 0x3F) | 0x80  // RFC 9562 variant
        }
        return format(bytes)
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// The 8-4-4-4-12 text form, written straight into the string's storage.
    private static func format(_ bytes: (UInt64, UInt64)) -> String {
        withUnsafeBytes(of: bytes) { id in
            String(unsafeUninitializedCapacity: 36) { text in
                var position = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = hexDigits.utf8Start[Int(id[i] >> 4)]
                    text[position + 1] = hexDigits.utf8Start[Int(id[i] & 0x0F)]
                    position += 2
                }
                return position
            }
        }
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

/// Kernel randomness fetched 4 KiB at a time (glibc's arc4random_buf, which reads getrandom(2)): one
/// system call per 256 ids, where `SystemRandomNumberGenerator` makes one per 8 bytes, two per id.
final class RandomBytes: Sendable {
    static let shared = RandomBytes()

    private struct Pool {
        var words = [UInt64](repeating: 0, count: 512)
        var used = 512
    }

    private let pool = Mutex(Pool())

    /// 16 fresh random bytes.
    func next() -> (UInt64, UInt64) {
        pool.withLock { pool in
            if pool.used + 2 > pool.words.count {
                Self.fill(&pool.words)
                pool.used = 0
            }
            defer { pool.used += 2 }
            return (pool.words[pool.used], pool.words[pool.used + 1])
        }
    }

    private static func fill(_ words: inout [UInt64]) {
        words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
    }
}
