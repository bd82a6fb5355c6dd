/// Builds small JSON documents by hand: the hot paths (a 201, a queue message) avoid a
/// general-purpose encoder and its allocations.
public enum JSONText {
    /// `text` as a quoted JSON string, escaping what RFC 8259 requires.
    public static func quoted(_ text: String) -> String {
        var result = "\""
        result.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        result += "\""
        return result
    }

    /// An object from already-encoded member values, in the given order.
    public static func object(_ members: KeyValuePairs<String, String>) -> String {
        object(members.map { ($0.key, $0.value) })
    }

    /// An object whose members are only known at run time, in the order given.
    public static func object(_ members: [(key: String, value: String)]) -> String {
        var result = "{"
        for (offset, member) in members.enumerated() {
            if offset > 0 { result += "," }
            result += quoted(member.key) + ":" + member.value
        }
        return result + "}"
    }

    /// An optional integer as JSON (`null` when absent).
    public static func integer(_ value: Int64?) -> String {
        value.map { String($0) } ?? "null"
    }
}
