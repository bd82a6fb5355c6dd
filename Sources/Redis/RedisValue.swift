/// A Redis reply as a Swift value (RESP2 types).
public enum RedisValue: Equatable, Sendable {
    case bulk([UInt8])
    case status(String)
    case integer(Int64)
    case array([RedisValue])
    case null
    case error(String)

    /// The reply as text, for bulk and status replies.
    public var string: String? {
        switch self {
        case .bulk(let bytes): String(decoding: bytes, as: UTF8.self)
        case .status(let text): text
        default: nil
        }
    }

    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// Elements of an array reply; `null` counts as empty (LPOP with a count on a missing key).
    public var array: [RedisValue]? {
        switch self {
        case .array(let values): values
        case .null: []
        default: nil
        }
    }

    /// A READONLY error: the node became a replica (a failover). Asking it again cannot help, a new
    /// connection (to the name, which now points at the new primary) can.
    public var isReadOnlyReplicaError: Bool {
        if case .error(let message) = self { return message.hasPrefix("READONLY") }
        return false
    }

    /// An error reply saying the server cannot serve now (READONLY, LOADING, ...): nothing was done.
    public var isUnavailableRefusal: Bool {
        if case .error(let message) = self { return RedisError(serverReply: message).kind == .unavailable }
        return false
    }

    /// The value itself, or the server's error reply as a thrown `RedisError`.
    @discardableResult
    public func check() throws(RedisError) -> RedisValue {
        if case .error(let message) = self { throw RedisError(serverReply: message) }
        return self
    }
}

/// A failure talking to Redis, with whether trying again (on a fresh connection) can help.
public struct RedisError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Could not connect, or the connection broke or timed out mid-call.
        case connection
        /// The server refused our credentials (WRONGPASS, NOAUTH, NOPERM): retrying will not help.
        case authentication
        /// The TLS handshake failed: the certificate is not trusted or names another server.
        case tls
        /// The server is there but cannot serve now (LOADING after a restart, READONLY replica, ...).
        case unavailable
        /// Fewer replicas confirmed a write than `REDIS_WAIT_REPLICAS` asks for: the write is on the
        /// primary only. Trying the same primary again cannot get more replicas.
        case replication
        /// The server rejected the command itself.
        case command
        /// The linked hiredis cannot do what the configuration asks.
        case unsupported
    }

    public let kind: Kind
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    private static let unavailablePrefixes = ["LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN", "CLUSTERDOWN", "BUSY"]
    private static let authenticationPrefixes = ["WRONGPASS", "NOAUTH", "NOPERM", "ERR invalid password", "ERR AUTH"]

    init(serverReply message: String) {
        let kind: Kind =
            if Self.unavailablePrefixes.contains(where: message.hasPrefix) {
                .unavailable
            } else if Self.authenticationPrefixes.contains(where: message.hasPrefix) {
                .authentication
            } else {
                .command
            }
        self.init(kind: kind, message: message)
    }

    /// Worth another attempt after a backoff.
    public var isTransient: Bool { kind == .connection || kind == .unavailable }

    /// The server refused who we are (credentials, certificate): only a change of configuration
    /// (or of the server's) can fix that, so repeating the attempt at once cannot help.
    public var isRefusal: Bool { kind == .authentication || kind == .tls }

    public var description: String { "Redis \(kind): \(message)" }
}
