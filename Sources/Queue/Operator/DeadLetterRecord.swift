import Message
import Redis

/// A record of the dead-letter list as read back (DESIGN.md, "Queue message"). Records written
/// before `kind`, `id` and `deliveries` existed (`{reason, raw, consumer, ts}`) stay readable: their
/// kind is inferred from the reason and their id from `raw`, exactly as the replay script
/// (`QueueScripts.takeDeadLetters`) infers them, so `--id` and `--kind` pick the same records there.
public struct DeadLetterRecord: Sendable, Equatable {
    /// A `DeadLetter.Kind` raw value, or whatever a newer version wrote.
    public var kind: String
    public var reason: String
    public var id: String
    public var raw: String
    public var consumer: String?
    public var deliveries: Int64?
    public var timestampMilliseconds: UInt64?

    public init(
        kind: String, reason: String, id: String, raw: String, consumer: String? = nil, deliveries: Int64? = nil,
        timestampMilliseconds: UInt64? = nil
    ) {
        self.kind = kind
        self.reason = reason
        self.id = id
        self.raw = raw
        self.consumer = consumer
        self.deliveries = deliveries
        self.timestampMilliseconds = timestampMilliseconds
    }

    /// Reads a stored record; text that is not a record at all is shown as an undecodable one holding it.
    public init(stored bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard case .object(let members)? = try? StrictJSONParser.parse(bytes) else {
            self.init(kind: DeadLetter.Kind.undecodable.rawValue, reason: "not a dead-letter record", id: Self.messageID(raw: text), raw: text)
            return
        }
        var fields: [String: JSONValue] = [:]
        for member in members { fields[member.key] = member.value }
        let reason = fields["reason"]?.text ?? ""
        let raw = fields["raw"]?.text ?? text
        self.init(
            kind: fields["kind"]?.text ?? Self.inferredKind(reason: reason).rawValue,
            reason: reason,
            id: fields["id"]?.text ?? Self.messageID(raw: raw),
            raw: raw,
            consumer: fields["consumer"]?.text,
            deliveries: fields["deliveries"]?.wholeNumber.map(Int64.init),
            timestampMilliseconds: fields["ts"]?.wholeNumber.map(UInt64.init))
    }

    /// The kind of a record from before `kind` existed: the reclaim script's reason says
    /// "delivered N times ...", everything else was a value that could not be decoded.
    static func inferredKind(reason: String) -> DeadLetter.Kind {
        let words = reason.split(separator: " ", maxSplits: 2)
        let isDeliveries = words.count == 3 && words[0] == "delivered" && Int(words[1]) != nil && words[2].hasPrefix("times")
        return isDeliveries ? .maxDeliveries : .undecodable
    }

    /// The message id inside `raw`, else `sha1:<hex digest of raw>`: what the queue's scripts name it.
    static func messageID(raw: String) -> String {
        if case .object(let members)? = try? StrictJSONParser.parse(Array(raw.utf8)),
            case .string(let id)? = members.first(where: { $0.key == "id" })?.value {
            return id
        }
        return "sha1:" + RedisScript.sha1Hex(Array(raw.utf8))
    }

    /// The record as one JSON object, in the contract's field order.
    public var json: String {
        JSONText.object([
            "kind": JSONText.quoted(kind), "reason": JSONText.quoted(reason), "id": JSONText.quoted(id), "raw": JSONText.quoted(raw),
            "consumer": consumer.map(JSONText.quoted) ?? "null", "deliveries": JSONText.integer(deliveries),
            "ts": JSONText.integer(timestampMilliseconds.map { Int64($0) }),
        ])
    }
}

extension JSONValue {
    fileprivate var text: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// A number without fraction or exponent, or one Lua's cjson wrote with an exponent (1.7e+12).
    fileprivate var wholeNumber: Double? {
        guard case .number(let text) = self, let value = Double(text), value >= 0, value == value.rounded() else { return nil }
        return value
    }
}
