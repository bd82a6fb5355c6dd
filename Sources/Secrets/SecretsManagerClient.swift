import Curl
import Message

/// `secretsmanager:GetSecretValue` over HTTPS through libcurl, signed with SigV4 by libcurl
/// (`CURLOPT_AWS_SIGV4`) with the credentials `AWSCredentialProvider` gives.
public struct SecretsManagerClient: Sendable {
    let endpoint: String
    let region: String
    let credentials: AWSCredentialProvider
    let transport: any HTTPTransport

    public init(settings: SecretsSettings, credentials: AWSCredentialProvider, transport: any HTTPTransport) {
        self.endpoint = settings.endpoint
        self.region = settings.region
        self.credentials = credentials
        self.transport = transport
    }

    /// The SecretString of `secretID` (its current version). A refusal of cached container
    /// credentials (HTTP 403) is tried once more with fresh ones at once.
    public func secretString(_ secretID: String, timeout: Duration) async throws(SecretFetchError) -> SecretText {
        let wasCached = !credentials.needsFetch
        do {
            return try await attempt(secretID, timeout: timeout)
        } catch where wasCached && credentials.needsFetch {
            return try await attempt(secretID, timeout: timeout)  // a 403 emptied the cache: fresh credentials now
        }
    }

    private func attempt(_ secretID: String, timeout: Duration) async throws(SecretFetchError) -> SecretText {
        let started = ContinuousClock.now
        let signing = try await credentials.credentials(timeout: timeout)
        let remaining = timeout - (ContinuousClock.now - started)
        guard remaining > .milliseconds(50) else {
            throw SecretFetchError(code: "Transport", detail: "no time left for GetSecretValue after fetching credentials", isPermanent: false)
        }
        var headers: [(name: String, value: String)] = [
            ("Content-Type", "application/x-amz-json-1.1"), ("X-Amz-Target", "secretsmanager.GetSecretValue"),
        ]
        if let token = signing.sessionToken { headers.append(("X-Amz-Security-Token", token)) }
        let request = HTTPRequest(
            method: .post, url: endpoint, headers: headers, body: Array(JSONText.object(["SecretId": JSONText.quoted(secretID)]).utf8),
            timeout: remaining, connectTimeout: min(remaining, .seconds(3)),
            sigV4: HTTPRequest.SigV4(provider: "aws:amz:\(region):secretsmanager", user: signing.accessKeyID, password: signing.secretAccessKey))
        let response = try await transport.send(request, while: "calling GetSecretValue at \(endpoint)")
        guard response.status == 200 else {
            let error = SecretFetchError.fromAWS(status: response.status, type: Self.errorType(response))
            if response.status == 403 { credentials.invalidate() }
            throw error
        }
        guard let document = try? StrictJSONParser.parse(response.body), case .object(let members) = document else {
            throw SecretFetchError(code: "UnreadableResponse", detail: "GetSecretValue's answer is not a JSON object", isPermanent: true)
        }
        guard case .string(let text)? = members.value(of: "SecretString") else {
            throw SecretFetchError(code: "NoSecretString", detail: "the secret has no SecretString (a binary secret cannot be used)", isPermanent: true)
        }
        return SecretText(text)
    }

    /// The error's type: the JSON body's `__type`, the `x-amzn-ErrorType` header, or the `<Code>` of
    /// an XML error body (what the query-protocol signature check answers, in moto for one).
    static func errorType(_ response: HTTPResponse) -> String? {
        if let document = try? StrictJSONParser.parse(response.body), case .object(let members) = document,
            case .string(let type)? = members.value(of: "__type")
        {
            return type
        }
        if let header = response.header("x-amzn-ErrorType") { return header }
        let text = String(decoding: response.body.prefix(4096), as: UTF8.self)
        guard let open = text.firstRange(of: "<Code>"), let close = text[open.upperBound...].firstRange(of: "</Code>") else { return nil }
        let code = text[open.upperBound..<close.lowerBound]
        return code.isEmpty || code.count > 64 || !code.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." }) ? nil : String(code)
    }
}

/// A secret's text: kept out of every description, so printing it by mistake shows nothing.
public struct SecretText: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    public var description: String { "<secret: \(value.utf8.count) bytes, not shown>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
