import Message

/// The body of `POST /count`: exactly `{"count": <integer>}`, checked strictly so that nothing
/// questionable reaches the queue.
enum CountRequest {
    static func parse(_ body: some Collection<UInt8>) throws(APIError) -> Int64 {
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
