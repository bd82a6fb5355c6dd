/// Where a Redis node listens.
public struct RedisNodeAddress: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// `host:port` as MOVED/ASK write it (the host may be an IPv6 address with colons of its own,
    /// or empty for "the node you asked").
    init?(redirectTarget text: Substring, defaultHost: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]) else { return nil }
        let host = String(text[..<colon])
        self.init(host: host.isEmpty ? defaultHost : host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Which primary serves each of the 16384 slots, from `CLUSTER SLOTS`. Looked up on every call,
/// so a lookup is one array read: each slot holds the index of its primary in `primaries`.
public struct ClusterSlotMap: Sendable, Equatable {
    /// Every primary that owns at least one slot, in the order the reply named them.
    public private(set) var primaries: [RedisNodeAddress] = []
    private var owners = [Int16](repeating: -1, count: HashSlot.count)

    public init() {}

    public var isEmpty: Bool { primaries.isEmpty }

    public func primary(forSlot slot: Int) -> RedisNodeAddress? {
        let owner = owners[slot]
        return owner < 0 ? nil : primaries[Int(owner)]
    }

    /// Parses a `CLUSTER SLOTS` reply: `[[start, end, [host, port, id, ...], replica...], ...]`.
    /// A node that reports an empty host (or `?`) is reachable at the address the reply came from.
    public init(clusterSlots reply: RedisValue, askedHost: String) throws(RedisError) {
        guard let ranges = reply.array else { throw Self.malformed(reply) }
        for range in ranges {
            guard let fields = range.array, fields.count >= 3, let start = fields[0].integer, let end = fields[1].integer,
                let node = fields[2].array, node.count >= 2, let host = node[0].string, let port = node[1].integer,
                0 <= start, start <= end, end < HashSlot.count
            else { throw Self.malformed(range) }
            let address = RedisNodeAddress(host: host.isEmpty || host == "?" ? askedHost : host, port: Int(port))
            let index = primaries.firstIndex(of: address) ?? {
                primaries.append(address)
                return primaries.count - 1
            }()
            for slot in Int(start)...Int(end) { owners[slot] = Int16(index) }
        }
    }

    private static func malformed(_ value: RedisValue) -> RedisError {
        RedisError(kind: .command, message: "unexpected CLUSTER SLOTS reply: \(value)")
    }
}

/// A cluster's answer that the key lives elsewhere: for good (MOVED: update the map) or, while its
/// slot migrates, for this one command (ASK: send ASKING, then the command, to that node).
public enum ClusterRedirect: Sendable, Equatable {
    case moved(slot: Int, to: RedisNodeAddress)
    case ask(slot: Int, to: RedisNodeAddress)

    public init?(_ reply: RedisValue, defaultHost: String) {
        guard case .error(let message) = reply else { return nil }
        let parts = message.split(separator: " ")
        guard parts.count == 3, let slot = Int(parts[1]), (0..<HashSlot.count).contains(slot),
            let address = RedisNodeAddress(redirectTarget: parts[2], defaultHost: defaultHost)
        else { return nil }
        switch parts[0] {
        case "MOVED": self = .moved(slot: slot, to: address)
        case "ASK": self = .ask(slot: slot, to: address)
        default: return nil
        }
    }

    var target: RedisNodeAddress {
        switch self {
        case .moved(_, let address), .ask(_, let address): address
        }
    }
}
