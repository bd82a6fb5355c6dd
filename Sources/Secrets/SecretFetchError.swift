import Curl

/// Why a secret could not be read: the AWS error code (`__type`, e.g. `ResourceNotFoundException`),
/// or a code of ours for a transport failure or an unusable value; and whether trying again can
/// help. Its text never holds a secret value, a key, a token or a signature (AWS's own message can
/// quote the canonical request, so it is left out).
public struct SecretFetchError: Error, CustomStringConvertible, Equatable {
    public let code: String
    public let detail: String
    public let isPermanent: Bool

    public init(code: String, detail: String, isPermanent: Bool) {
        self.code = code
        self.detail = detail
        self.isPermanent = isPermanent
    }

    /// No HTTP answer: transient (the network, a timeout), unless libcurl says the request itself cannot work.
    init(transport error: any Error, while doing: String) {
        let curl = error as? CurlError
        self.init(
            code: curl.map { "Transport(curl \($0.code))" } ?? "Transport", detail: "\(doing): \(curl?.message ?? "\(error)")",
            isPermanent: curl?.isPermanent ?? false)
    }

    /// AWS error codes that waiting cannot fix: the secret, the permission, the key or the request is wrong.
    static let permanentAWSCodes: Set<String> = [
        "ResourceNotFoundException", "AccessDeniedException", "AccessDenied", "UnrecognizedClientException",
        "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "InvalidClientTokenId",
        "InvalidRequestException", "InvalidParameterException", "ValidationException", "DecryptionFailure",
        "MissingAuthenticationToken", "OptInRequired",
    ]

    /// An error answer of Secrets Manager: its `__type` (or `x-amzn-ErrorType`) decides, then the status.
    static func fromAWS(status: Int, type: String?) -> SecretFetchError {
        let code = type.map(Self.shortCode) ?? "HTTP\(status)"
        let permanent: Bool
        if let type, Self.permanentAWSCodes.contains(Self.shortCode(type)) {
            permanent = true
        } else if type != nil {
            permanent = false  // ThrottlingException, InternalServiceError, ExpiredTokenException (credentials are fetched anew) ...
        } else {
            permanent = (400..<500).contains(status) && status != 429 && status != 408
        }
        return SecretFetchError(code: code, detail: "Secrets Manager answered HTTP \(status)", isPermanent: permanent)
    }

    /// `com.amazonaws.secretsmanager#ResourceNotFoundException` and `ResourceNotFoundException:http://...` → `ResourceNotFoundException`.
    static func shortCode(_ type: String) -> String {
        var code = Substring(type)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        return String(code)
    }

    public var description: String { "\(code): \(detail)" }
}

extension HTTPTransport {
    /// Sends `request`; no HTTP answer at all becomes a `SecretFetchError` saying what was being done.
    func send(_ request: HTTPRequest, while doing: String) async throws(SecretFetchError) -> HTTPResponse {
        do {
            return try await send(request)
        } catch {
            throw SecretFetchError(transport: error, while: doing)
        }
    }
}
