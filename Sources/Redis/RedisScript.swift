import Crypto

/// A Lua script that Redis runs by its SHA-1 (`EVALSHA`), so a call sends 40 bytes instead of the
/// script's text. `RedisClient.evaluate` falls back to `EVAL` on `NOSCRIPT`, which also loads the
/// script on that node: a node that never saw it, a replica promoted by a failover, a restarted
/// server or one after `SCRIPT FLUSH` each costs one `EVAL`, then `EVALSHA` works there again.
public struct RedisScript: Sendable {
    public let source: String
    /// The script's SHA-1 in lower-case hex, as Redis names it; computed once, with the script.
    public let sha1: String

    public init(_ source: String) {
        self.source = source
        sha1 = Self.sha1Hex(Array(source.utf8))
    }

    /// SHA-1 in lower-case hex, what Lua's `redis.sha1hex` returns: for names that must agree with
    /// the scripts' (a dead letter without a message id is `sha1:<hex of its bytes>`), never for security.
    public static func sha1Hex(_ bytes: [UInt8]) -> String {
        Insecure.SHA1.hash(data: bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
