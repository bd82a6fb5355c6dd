import Curl
import Message
import Settings
import Synchronization

/// An AWS access key, its secret and session token; `expiration` (Unix seconds) when they are temporary.
/// Printing it never shows the secret key or the token.
public struct AWSCredentials: Sendable, Equatable {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var expiration: Int64?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Int64? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }
}

extension AWSCredentials: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "AWS credentials \(accessKeyID) (secret key and token not shown)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// Where the AWS credentials come from, in the order the AWS SDKs look: keys in the environment,
/// else the ECS container credentials endpoint.
public enum AWSCredentialSettings: Sendable, Equatable {
    case environment(AWSCredentials)
    /// GET `url`, with an `Authorization` header from `token` when there is one.
    case container(url: String, token: ContainerToken?)

    public enum ContainerToken: Sendable, Equatable {
        case value(String)
        /// Read again at each fetch (EKS and ECS rotate it).
        case file(String)
    }

    /// The link-local addresses of the ECS and EKS credential endpoints, which are reached over plain http.
    public static let containerEndpointHosts: Set<String> = ["169.254.170.2", "169.254.170.23", "fd00:ec2::23"]

    public init(from env: EnvironmentReader) throws(ConfigurationError) {
        if env.optional("AWS_ACCESS_KEY_ID") != nil || env.optional("AWS_SECRET_ACCESS_KEY") != nil {
            self = .environment(AWSCredentials(
                accessKeyID: try env.required("AWS_ACCESS_KEY_ID"), secretAccessKey: try env.required("AWS_SECRET_ACCESS_KEY"),
                sessionToken: env.optional("AWS_SESSION_TOKEN")))
            return
        }
        let token: ContainerToken? = env.optional("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").map(ContainerToken.file)
            ?? env.optional("AWS_CONTAINER_AUTHORIZATION_TOKEN").map(ContainerToken.value)
        if let relative = env.optional("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            guard relative.hasPrefix("/") else {
                throw ConfigurationError(variable: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", problem: "must start with /, got \"\(relative)\"")
            }
            self = .container(url: "http://169.254.170.2" + relative, token: token)
        } else if let full = env.optional("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            guard let parts = URLParts(full),
                parts.scheme == "https" || URLParts.isLoopback(parts.host) || Self.containerEndpointHosts.contains(parts.host)
            else {
                throw ConfigurationError(
                    variable: "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                    problem: "must be https://, or http:// to a loopback host or the ECS/EKS endpoint, got \"\(full)\"")
            }
            self = .container(url: full, token: token)
        } else {
            throw ConfigurationError(
                variable: "AWS_ACCESS_KEY_ID",
                problem: "is not set and neither is AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or _FULL_URI: no AWS credentials to read the secret with")
        }
    }
}

/// The AWS credentials to sign with now: fixed ones from the environment, or the container
/// endpoint's, kept until 5 minutes before they expire (or until Secrets Manager refuses them).
public final class AWSCredentialProvider: Sendable {
    /// Temporary credentials are replaced this long before their `Expiration`.
    public static let refreshBeforeExpiry: Int64 = 300

    private let settings: AWSCredentialSettings
    private let transport: any HTTPTransport
    private let wallClock: @Sendable () -> Int64
    private let readFile: @Sendable (String) -> String?
    private let cached = Mutex<AWSCredentials?>(nil)

    public init(
        settings: AWSCredentialSettings, transport: any HTTPTransport,
        wallClock: @escaping @Sendable () -> Int64 = { Int64(UnixTime.milliseconds() / 1000) },
        readFile: @escaping @Sendable (String) -> String? = TextFile.read
    ) {
        self.settings = settings
        self.transport = transport
        self.wallClock = wallClock
        self.readFile = readFile
    }

    /// Whether the next call would ask the endpoint again (nothing usable is cached).
    public var needsFetch: Bool {
        guard case .container = settings else { return false }
        return cached.withLock { $0 }.map { !isFresh($0) } ?? true
    }

    /// Current credentials; a container endpoint is asked only when none are cached or they expire within 5 minutes.
    public func credentials(timeout: Duration) async throws(SecretFetchError) -> AWSCredentials {
        switch settings {
        case .environment(let credentials):
            return credentials
        case .container(let url, let token):
            if let kept = cached.withLock({ $0 }), isFresh(kept) { return kept }
            let fetched = try await fetch(url: url, token: token, timeout: timeout)
            cached.withLock { $0 = fetched }
            return fetched
        }
    }

    /// Forgets cached credentials (Secrets Manager refused them): the next call asks the endpoint.
    public func invalidate() {
        cached.withLock { $0 = nil }
    }

    private func isFresh(_ credentials: AWSCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return wallClock() < expiration - Self.refreshBeforeExpiry
    }

    private func fetch(url: String, token: AWSCredentialSettings.ContainerToken?, timeout: Duration) async throws(SecretFetchError) -> AWSCredentials {
        var headers: [(name: String, value: String)] = []
        switch token {
        case .value(let value):
            headers.append(("Authorization", value))
        case .file(let path):
            guard let value = readFile(path)?.trimmingSpaces(), !value.isEmpty else {
                throw SecretFetchError(code: "ContainerTokenUnreadable", detail: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path)", isPermanent: true)
            }
            headers.append(("Authorization", value))
        case nil:
            break
        }
        let request = HTTPRequest(
            url: url, headers: headers, timeout: timeout, connectTimeout: .seconds(2),
            plainHTTPHosts: AWSCredentialSettings.containerEndpointHosts)
        let response = try await transport.send(request, while: "asking the container credentials endpoint")
        guard response.status == 200 else {
            throw SecretFetchError(
                code: "ContainerCredentialsHTTP\(response.status)", detail: "the container credentials endpoint answered HTTP \(response.status)",
                isPermanent: (400..<500).contains(response.status) && response.status != 429)
        }
        return try Self.parse(response.body)
    }

    /// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}` as the ECS endpoint answers.
    static func parse(_ body: [UInt8]) throws(SecretFetchError) -> AWSCredentials {
        let unreadable = SecretFetchError(
            code: "ContainerCredentialsUnreadable", detail: "the container credentials endpoint's answer has no AccessKeyId and SecretAccessKey",
            isPermanent: true)
        guard let document = try? StrictJSONParser.parse(body), case .object(let members) = document,
            case .string(let keyID)? = members.value(of: "AccessKeyId"), case .string(let secret)? = members.value(of: "SecretAccessKey"),
            !keyID.isEmpty, !secret.isEmpty
        else { throw unreadable }
        var token: String?
        if case .string(let value)? = members.value(of: "Token"), !value.isEmpty { token = value }
        var expiration: Int64?
        if case .string(let text)? = members.value(of: "Expiration") {
            guard let seconds = UnixTime.seconds(iso8601: text) else {
                throw SecretFetchError(code: "ContainerCredentialsUnreadable", detail: "Expiration is not an ISO 8601 time", isPermanent: true)
            }
            expiration = seconds
        }
        return AWSCredentials(accessKeyID: keyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}

extension Array where Element == (key: String, value: JSONValue) {
    /// The value of the member named `key`, if the object has one.
    func value(of key: String) -> JSONValue? {
        first { $0.key == key }?.value
    }
}
