import Message
import Settings

/// A shape a SecretString is read as; reading fails with a permanent `SecretFetchError` whose text
/// names what is missing, never a value.
public protocol SecretShape: Sendable, Equatable {
    static func parse(_ text: SecretText) throws(SecretFetchError) -> Self
    /// The user name and password to log in with.
    var login: (user: String?, password: String) { get }
}

/// The database secret: JSON with `username` and `password`, optional `host`, `port` (a number or
/// a string) and `dbname`: the shape of RDS-managed and rotation-Lambda secrets.
public struct DatabaseSecret: SecretShape {
    public var username: String
    public var password: String
    public var host: String?
    public var port: Int?
    public var dbname: String?

    public init(username: String, password: String, host: String? = nil, port: Int? = nil, dbname: String? = nil) {
        self.username = username
        self.password = password
        self.host = host
        self.port = port
        self.dbname = dbname
    }

    public var login: (user: String?, password: String) { (username, password) }

    public static func parse(_ text: SecretText) throws(SecretFetchError) -> DatabaseSecret {
        guard case .object(let members)? = try? StrictJSONParser.parse(Array(text.value.utf8)) else {
            throw unusable("is not a JSON object")
        }
        let password = try string("password", in: members, required: true)!
        let username = try string("username", in: members, required: true)!
        let port: Int?
        switch members.value(of: "port") {
        case nil, .null?: port = nil
        case .number(let literal)?: port = try validPort(Int(literal))
        case .string(let literal)?: port = try validPort(Int(literal.trimmingSpaces()))
        case let other?: throw unusable("has a port that is \(other.kindDescription), not a number or a string")
        }
        return DatabaseSecret(
            username: username, password: password, host: try string("host", in: members), port: port,
            dbname: try string("dbname", in: members))
    }
}

extension DatabaseSecret {
    private static func validPort(_ port: Int?) throws(SecretFetchError) -> Int {
        guard let port, (1...65535).contains(port) else { throw unusable("has a port that is not a whole number from 1 to 65535") }
        return port
    }
}

/// The Redis secret: JSON with `password` and optional `username`, or a plain string (the password).
public struct RedisSecret: SecretShape {
    public var username: String?
    public var password: String

    public init(username: String? = nil, password: String) {
        self.username = username
        self.password = password
    }

    public var login: (user: String?, password: String) { (username, password) }

    public static func parse(_ text: SecretText) throws(SecretFetchError) -> RedisSecret {
        guard case .object(let members)? = try? StrictJSONParser.parse(Array(text.value.utf8)) else {
            guard !text.value.isEmpty else { throw unusable("is empty") }
            return RedisSecret(password: text.value)  // not a JSON object: the whole text is the password
        }
        return RedisSecret(username: try string("username", in: members), password: try string("password", in: members, required: true)!)
    }
}

extension SecretShape {
    static func unusable(_ problem: String) -> SecretFetchError {
        SecretFetchError(code: "UnusableSecret", detail: "the SecretString \(problem)", isPermanent: true)
    }

    /// A string member: nil when absent (or null, or empty); a non-string or a missing required one is an error.
    static func string(_ key: String, in members: [(key: String, value: JSONValue)], required: Bool = false) throws(SecretFetchError) -> String? {
        switch members.value(of: key) {
        case .string(let value)? where !value.isEmpty:
            return value
        case nil, .null?, .string?:
            if required { throw unusable("has no \(key)") }
            return nil
        case let other?:
            throw unusable("has a \(key) that is \(other.kindDescription), not a string")
        }
    }
}

extension DatabaseSecret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "database secret for \(username)@\(host ?? "?"):\(port.map(String.init) ?? "?")/\(dbname ?? "?") (password not shown)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

extension RedisSecret: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "Redis secret for user \(username ?? "default") (password not shown)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
