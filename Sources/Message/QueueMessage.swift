/// One `/count` value on its way through the queue. On the wire it is the envelope
/// `{"v": 1, "id": "<unique id>", "count": N, "ts": <unix ms>}`; older producers push a bare integer.
public struct QueueMessage: Equatable, Sendable {
    public static let version = 1

    public var id: String
    public var count: Int64
    /// When the Producer accepted the value, in Unix milliseconds.
    public var enqueuedAtMilliseconds: UInt64

    public init(id: String, count: Int64, enqueuedAtMilliseconds: UInt64) {
        self.id = id
        self.count = count
        self.enqueuedAtMilliseconds = enqueuedAtMilliseconds
    }

    /// The envelope as pushed onto the queue. `id` is restricted to characters that need no escaping.
    public var encoded: String {
        "{\"v\":\(Self.version),\"id\":\"\(id)\",\"count\":\(count),\"ts\":\(enqueuedAtMilliseconds)}"
    }
}

/// Why a queue entry cannot be turned into a row; the reason is stored with it in the dead-letter list.
public struct QueueMessageError: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

extension QueueMessage {
    /// Decodes an envelope. Bare integers never reach this point as such: the Consumer's fetch script
    /// wraps them in an envelope with a stable id as it moves them into its processing list.
    public static func decode(_ raw: some Collection<UInt8>) throws(QueueMessageError) -> QueueMessage {
        if let canonical = raw.withContiguousStorageIfAvailable(CanonicalEnvelope.decode), let message = canonical {
            return message
        }
        return try decodeAnyForm(raw)
    }

    /// The general decoder: any valid JSON spelling of an envelope, and the precise reason for anything else.
    static func decodeAnyForm(_ raw: some Collection<UInt8>) throws(QueueMessageError) -> QueueMessage {
        let document: JSONValue
        do {
            document = try StrictJSONParser.parse(raw)
        } catch {
            throw QueueMessageError(reason: "not valid JSON: \(error)")
        }
        guard case .object(let members) = document else {
            throw QueueMessageError(reason: "expected an envelope object or a bare integer, got \(document.kindDescription)")
        }
        var fields: [String: JSONValue] = [:]
        for member in members { fields[member.key] = member.value }
        let unknown = fields.keys.filter { !["v", "id", "count", "ts"].contains($0) }.sorted()
        guard unknown.isEmpty else {
            throw QueueMessageError(reason: "unknown envelope field(s): \(unknown.joined(separator: ", "))")
        }
        guard case .number("\(version)") = fields["v"] else {
            throw QueueMessageError(reason: "envelope field \"v\" must be \(version)")
        }
        guard case .string(let id) = fields["id"], MessageID.isValid(id) else {
            throw QueueMessageError(
                reason: "envelope field \"id\" must be 1 to \(MessageID.maxLength) characters of letters, digits, '-', '_', ':' or '.'")
        }
        guard let countField = fields["count"] else {
            throw QueueMessageError(reason: "envelope field \"count\" is missing")
        }
        let count: Int64
        do {
            count = try CountValue.parse(countField)
        } catch {
            throw QueueMessageError(reason: error.description)
        }
        guard case .number(let tsText) = fields["ts"], let ts = UInt64(tsText) else {
            throw QueueMessageError(reason: "envelope field \"ts\" must be a non-negative integer of Unix milliseconds")
        }
        return QueueMessage(id: id, count: count, enqueuedAtMilliseconds: ts)
    }
}
