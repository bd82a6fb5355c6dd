import Message

/// The body of `POST /count`: exactly `{"count": <integer>}`, checked strictly so that nothing
/// questionable reaches the queue.
enum CountRequest {
    static func parse(_ body: some Collection<UInt8>) throws(APIError) -> Int64 {
        if let fast = body.withContiguousStorageIfAvailable(plainCount), let count = fast {
            return count
        }
        return try parseAnyForm(body)
    }

    private static let countKey = Array(#""count""#.utf8)

    /// The body as clients write it, `{"count": <integer>}` with any whitespace, read straight from
    /// its bytes (no JSON tree, no strings): the hot path of `POST /count`. Anything else (an escaped
    /// key, a fraction, a second field, a value out of range) is nil here and `parseAnyForm` decides,
    /// with its precise error; for every body read here it returns the same value (`CountRequestTests`).
    static func plainCount(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        var reader = CanonicalJSONReader(bytes: bytes)
        reader.skipWhitespace()
        guard reader.skip([UInt8(ascii: "{")]) else { return nil }
        reader.skipWhitespace()
        guard reader.skip(countKey) else { return nil }
        reader.skipWhitespace()
        guard reader.skip([UInt8(ascii: ":")]) else { return nil }
        reader.skipWhitespace()
        guard let count = reader.int64(allowingMinus: true) else { return nil }
        reader.skipWhitespace()
        guard reader.skip([UInt8(ascii: "}")]) else { return nil }
        reader.skipWhitespace()
        return reader.isAtEnd ? count : nil
    }

    /// Any JSON spelling of the body, through the strict parser, and the precise reason for anything wrong.
    static func parseAnyForm(_ body: some Collection<UInt8>) throws(APIError) -> Int64 {
        guard !body.isEmpty else {
            throw .badRequest("empty_body", "the request body is empty; send {\"count\": <integer>}")
        }
        let document: JSONValue
        do {
            document = try StrictJSONParser.parse(body)
        } catch {
            throw .badRequest("malformed_json", "the body is not valid JSON (\(error)); send {\"count\": <integer>}")
        }
        guard case .object(let members) = document else {
            throw .badRequest("wrong_type", "the body must be a JSON object like {\"count\": 42}, not \(document.kindDescription)")
        }
        if let extra = members.first(where: { $0.key != "count" }) {
            throw .badRequest("unexpected_field", "unexpected field \(JSONText.quoted(extra.key)); the body takes only \"count\"")
        }
        guard let value = members.first?.value else {
            throw .badRequest("missing_count", "the field \"count\" is missing; send {\"count\": <integer>}")
        }
        do {
            return try CountValue.parse(value)
        } catch {
            throw .badRequest(error.code, error.description)
        }
    }
}

extension CountValueError {
    var code: String {
        switch self {
        case .notAnInteger: "wrong_type"
        case .outOfRange: "out_of_range"
        }
    }
}
