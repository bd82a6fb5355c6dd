/// A setting that is missing or malformed; its description is the one line the program prints before it stops.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public let variable: String
    public let problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "configuration error: \(variable) \(problem)" }
}

/// Typed, validated reads of environment variables. Every read names its variable in the error,
/// and secret values never appear in an error message.
public struct EnvironmentReader: Sendable {
    public let values: [String: String]

    public init(_ values: [String: String]) {
        self.values = values
    }

    /// The value if the variable is set to something other than the empty string.
    public func optional(_ name: String) -> String? {
        guard let value = values[name], !value.isEmpty else { return nil }
        return value
    }

    public func string(_ name: String, default defaultValue: String) -> String {
        optional(name) ?? defaultValue
    }

    public func required(_ name: String) throws(ConfigurationError) -> String {
        guard let value = optional(name) else {
            throw ConfigurationError(variable: name, problem: "is required but not set")
        }
        return value
    }

    public func integer(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int {
        guard let text = optional(name) else { return defaultValue }
        guard let value = Int(text.trimmingSpaces()) else {
            throw ConfigurationError(variable: name, problem: "must be a whole number, got \"\(text)\"")
        }
        guard range.contains(value) else {
            throw ConfigurationError(
                variable: name, problem: "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    public func port(_ name: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        try integer(name, default: defaultValue, in: 1...65535)
    }

    /// A duration given in milliseconds, returned as a `Duration`.
    public func milliseconds(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws(ConfigurationError) -> Duration {
        .milliseconds(try integer(name, default: defaultValue, in: range))
    }

    public func boolean(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let text = optional(name) else { return defaultValue }
        switch text.trimmingSpaces().lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw ConfigurationError(variable: name, problem: "must be true or false, got \"\(text)\"")
        }
    }

    public func choice<T: RawRepresentable<String> & CaseIterable>(_ name: String, default defaultValue: T) throws(ConfigurationError) -> T {
        guard let text = optional(name) else { return defaultValue }
        guard let value = T(rawValue: text.trimmingSpaces().lowercased()) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: name, problem: "must be one of \(allowed), got \"\(text)\"")
        }
        return value
    }

    /// A secret a client must present (a bearer token): nil when unset; else 16 to 256 printable
    /// ASCII characters without spaces, so it fits a header unchanged. The value never appears in the error.
    public func secretToken(_ name: String) throws(ConfigurationError) -> String? {
        guard let value = optional(name) else { return nil }
        guard (16...256).contains(value.utf8.count), value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigurationError(
                variable: name, problem: "must be 16 to 256 printable ASCII characters without spaces (the value is not shown)")
        }
        return value
    }

    /// A name used inside Redis keys or SQL identifiers: letters, digits, and `_ - . :` only.
    public func identifier(_ name: String, default defaultValue: String, maxLength: Int = 64) throws(ConfigurationError) -> String {
        let value = string(name, default: defaultValue)
        guard !value.isEmpty, value.count <= maxLength, value.utf8.allSatisfy(Self.isIdentifierByte) else {
            throw ConfigurationError(
                variable: name,
                problem: "must be 1 to \(maxLength) characters of letters, digits, '_', '-', '.' or ':', got \"\(value)\"")
        }
        return value
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ":"):
            return true
        default:
            return false
        }
    }
}

extension String {
    /// The string without leading and trailing white space.
    public func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice.removeFirst() }
        while slice.last?.isWhitespace == true { slice.removeLast() }
        return String(slice)
    }
}
