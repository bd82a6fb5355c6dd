/// Why a JSON value is not an acceptable `count`.
public enum CountValueError: Error, Equatable, CustomStringConvertible {
    case notAnInteger(found: String)
    case outOfRange(String)

    public var description: String {
        switch self {
        case .notAnInteger(let found):
            "\"count\" must be a JSON integer (like 42), but it is \(found)"
        case .outOfRange(let text):
            "\"count\" must fit in a signed 64-bit integer (-9223372036854775808 to 9223372036854775807), got \(text)"
        }
    }
}

/// The one rule for `count`, shared by the HTTP validator and the queue-message decoder:
/// a JSON integer literal (no fraction, no exponent) in the signed 64-bit range.
public enum CountValue {
    public static func parse(_ value: JSONValue) throws(CountValueError) -> Int64 {
        guard case .number(let text) = value, JSONValue.isIntegerLiteral(text) else {
            throw .notAnInteger(found: value.kindDescription)
        }
        guard let integer = Int64(text) else { throw .outOfRange(text) }
        return integer
    }
}
