/// One HTTP request for `CurlEasy`: only `https` URLs, or `http` to a loopback host (tests, the
/// health probe, the ECS credentials endpoint listed in `plainHTTPHosts`).
public struct HTTPRequest: Sendable {
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
    }

    /// libcurl signs the request (AWS Signature Version 4) as `user` with key `password`;
    /// `provider` is libcurl's `aws:amz:<region>:<service>`.
    public struct SigV4: Sendable {
        public var provider: String
        public var user: String
        public var password: String

        public init(provider: String, user: String, password: String) {
            self.provider = provider
            self.user = user
            self.password = password
        }
    }

    public var method: Method
    public var url: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// Bound on the whole exchange, connecting included.
    public var timeout: Duration
    public var connectTimeout: Duration
    public var sigV4: SigV4?
    /// Hosts besides loopback that may be reached over plain http.
    public var plainHTTPHosts: Set<String>

    public init(
        method: Method = .get, url: String, headers: [(name: String, value: String)] = [], body: [UInt8] = [],
        timeout: Duration, connectTimeout: Duration? = nil, sigV4: SigV4? = nil, plainHTTPHosts: Set<String> = []
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout ?? timeout
        self.sigV4 = sigV4
        self.plainHTTPHosts = plainHTTPHosts
    }

    /// A header's value, matched without regard to case.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }

    /// The protocols libcurl may use for this URL: `http` only toward loopback or a listed host.
    var allowedProtocols: String {
        guard let host = URLParts(url)?.host else { return "https" }
        return URLParts.isLoopback(host) || plainHTTPHosts.contains(host) ? "http,https" : "https"
    }
}

/// What came back: the status, the header fields (names as sent) and the body.
public struct HTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A header's value, matched without regard to case.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.key.lowercased() == wanted }?.value
    }
}

/// A request that got no HTTP answer: libcurl's code and its words (never the request's secrets).
public struct CurlError: Error, CustomStringConvertible, Equatable {
    public let code: Int
    public let message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    /// Trying again cannot help: a malformed or forbidden URL, an untrusted certificate.
    public var isPermanent: Bool { Self.permanentCodes.contains(code) }

    /// CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_PEER_FAILED_VERIFICATION,
    /// CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM.
    private static let permanentCodes: Set<Int> = [1, 3, 58, 60, 77]

    public var description: String { "libcurl error \(code): \(message)" }
}

/// The scheme and host of a URL, enough to decide what a request may use.
public struct URLParts: Sendable, Equatable {
    public let scheme: String
    public let host: String

    public init?(_ url: String) {
        guard let colon = url.firstIndex(of: ":"), url[colon...].hasPrefix("://") else { return nil }
        scheme = url[..<colon].lowercased()
        var rest = url[url.index(colon, offsetBy: 3)...]
        if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = String(rest[rest.index(after: rest.startIndex)..<close]).lowercased()
        } else {
            host = String(rest.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").lowercased()
        }
        guard !host.isEmpty, scheme == "http" || scheme == "https" else { return nil }
    }

    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }
}
