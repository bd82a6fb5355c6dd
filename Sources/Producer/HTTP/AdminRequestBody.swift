import Hummingbird
import Message
import Queue

/// The JSON body of an admin POST: `{"kind": K} | {"id": ID} | {"all": true}` plus options. An empty
/// body is an empty object.
struct AdminRequestBody {
    private var fields: [String: JSONValue] = [:]

    init(_ request: Request) async throws {
        var request = request
        let body = try await request.collectBody(upTo: 4096)
        guard body.readableBytes > 0 else { return }
        guard case .object(let members) = try? StrictJSONParser.parse(body.readableBytesView) else {
            throw APIError.invalidAdminRequest("the body must be a JSON object")
        }
        for member in members { fields[member.key] = member.value }
    }

    func selector() throws -> DeadLetterSelector {
        do {
            return try DeadLetterSelector(all: flag("all"), kind: text("kind"), id: text("id"))
        } catch {
            throw APIError.invalidAdminRequest(error.message.replacingDashes())
        }
    }

    func flag(_ name: String) -> Bool {
        fields[name] == .bool(true)
    }

    func text(_ name: String) -> String? {
        if case .string(let text)? = fields[name] { return text }
        return nil
    }

    func positiveInteger(_ name: String) throws -> Int? {
        guard let value = fields[name], value != .null else { return nil }
        guard case .number(let text) = value, let number = Int(text), number > 0 else {
            throw APIError.invalidAdminRequest("\(name) must be a whole number above 0")
        }
        return number
    }
}

extension String {
    /// The CLI's `--kind` as the JSON field `"kind"`, in messages shared by both.
    fileprivate func replacingDashes() -> String {
        var text = self
        for option in ["kind", "id", "all"] {
            text = text.replacing("--\(option)", with: "\"\(option)\"")
        }
        return text
    }
}

extension APIError {
    static func invalidAdminRequest(_ message: String) -> APIError {
        .badRequest("invalid_admin_request", message)
    }
}
