/// A user name and password a program logs in with. `version` tells one value of a rotating
/// secret from the next, so a refusal can be pinned to the value that was refused.
public struct Credential: Sendable, Equatable {
    public var user: String?
    public var password: String?
    public var version: Int

    public init(user: String?, password: String?, version: Int = 0) {
        self.user = user
        self.password = password
        self.version = version
    }
}

extension Credential: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Never the password, whichever way the value is printed.
    public var description: String { "credential(user: \(user ?? "none"), password: \(password == nil ? "none" : "redacted"), version: \(version))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// Where connections take their credential from, read at each new connection: a fixed value from
/// the environment, or a secret that is re-read while the program runs (the Secrets module).
public protocol CredentialSource: Sendable {
    /// The value a new connection logs in with now.
    var current: Credential { get }
    /// The server refused `credential` at login: a rotating source fetches a newer value soon.
    func refused(_ credential: Credential)
    /// The server accepted `credential` at login.
    func accepted(_ credential: Credential)
    /// Whether a refusal can heal without a restart (the value may change while the program runs).
    var rotates: Bool { get }
}

/// A credential given in the environment (`DB_USER`/`DB_PASSWORD`, `REDIS_USERNAME`/`REDIS_PASSWORD`): it never changes.
public struct FixedCredential: CredentialSource {
    public let current: Credential

    public init(user: String?, password: String?) {
        current = Credential(user: user, password: password)
    }

    public func refused(_ credential: Credential) {}
    public func accepted(_ credential: Credential) {}
    public var rotates: Bool { false }
}
