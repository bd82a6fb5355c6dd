import CCurl

/// One libcurl easy handle and the requests made with it, one at a time on the calling thread
/// (it blocks: call it from `HTTPClient`'s thread or a command-line tool, never an event loop).
/// It owns the handle: `close()` frees it, `deinit` is the safety net. Between requests the
/// handle is reset but keeps its connection cache, so a second request to the same host reuses
/// the TLS session.
public final class CurlEasy {
    private var handle: UnsafeMutableRawPointer?

    /// Largest body or header block kept; a bigger answer fails rather than growing memory.
    public static let maxResponseBytes = 1 << 20

    /// libcurl's global state must be set up once, before threads race to do it implicitly.
    private static let libraryInitialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    public init() throws(CurlError) {
        guard Self.libraryInitialised, let handle = curl_easy_init() else {
            throw CurlError(code: Int(CURLE_FAILED_INIT.rawValue), message: "cannot initialise libcurl")
        }
        self.handle = handle
    }

    deinit { close() }

    public func close() {
        if let handle { curl_easy_cleanup(handle) }
        handle = nil
    }

    /// Performs `request` and returns the server's answer, whatever its status; throws only when
    /// there was no complete HTTP answer (connect, TLS, timeout, a body over `maxResponseBytes`).
    public func perform(_ request: HTTPRequest) throws(CurlError) -> HTTPResponse {
        guard let handle else { throw CurlError(code: Int(CURLE_FAILED_INIT.rawValue), message: "the handle is closed") }
        curl_easy_reset(handle)
        let collector = ResponseCollector()
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }
        for (name, value) in request.headers {
            guard !(name + value).utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw CurlError(code: Int(CURLE_BAD_FUNCTION_ARGUMENT.rawValue), message: "header \(name) holds a line break")
            }
            headerList = curl_slist_append(headerList, "\(name): \(value)")
        }
        let context = Unmanaged.passRetained(collector)
        defer { context.release() }
        try configure(handle, for: request, headers: headerList, context: context.toOpaque())
        let result = curl_easy_perform(handle)
        guard result == CURLE_OK else {
            let reason = collector.overflowed ? "the answer is larger than \(Self.maxResponseBytes) bytes" : String(cString: curl_easy_strerror(result))
            throw CurlError(code: Int(result.rawValue), message: "\(request.method.rawValue) \(Self.redacted(request.url)): \(reason)")
        }
        var status = 0
        _ = cp_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: collector.headers, body: collector.body)
    }

    private func configure(
        _ handle: UnsafeMutableRawPointer, for request: HTTPRequest, headers: UnsafeMutablePointer<curl_slist>?, context: UnsafeMutableRawPointer
    ) throws(CurlError) {
        let codes: [CURLcode] = [
            cp_curl_setopt_string(handle, CURLOPT_URL, request.url),
            cp_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, request.allowedProtocols),
            cp_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1),
            cp_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout)),
            cp_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(min(request.connectTimeout, request.timeout))),
            cp_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1),
            cp_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2),
            cp_curl_setopt_list(handle, CURLOPT_HTTPHEADER, headers),
            cp_curl_setopt_write_callback(handle, CURLOPT_WRITEFUNCTION) { ResponseCollector.deliver($0, $1 * $2, to: $3, header: false) },
            cp_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context),
            cp_curl_setopt_write_callback(handle, CURLOPT_HEADERFUNCTION) { ResponseCollector.deliver($0, $1 * $2, to: $3, header: true) },
            cp_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context),
        ] + methodOptions(handle, for: request) + signingOptions(handle, for: request)
        if let failed = codes.first(where: { $0 != CURLE_OK }) {
            throw CurlError(code: Int(failed.rawValue), message: "cannot configure libcurl: \(String(cString: curl_easy_strerror(failed)))")
        }
    }

    private func methodOptions(_ handle: UnsafeMutableRawPointer, for request: HTTPRequest) -> [CURLcode] {
        switch request.method {
        case .get:
            return [cp_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)]
        case .post:
            // COPYPOSTFIELDS copies the body, so it need not outlive this call; the size goes first.
            var codes = [cp_curl_setopt_long(handle, CURLOPT_POST, 1), cp_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, request.body.count)]
            if request.body.isEmpty {
                codes.append(cp_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, ""))
            } else {
                codes.append(request.body.withUnsafeBytes { body in
                    cp_curl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, body.baseAddress!.assumingMemoryBound(to: CChar.self))
                })
            }
            return codes
        }
    }

    private func signingOptions(_ handle: UnsafeMutableRawPointer, for request: HTTPRequest) -> [CURLcode] {
        guard let sigV4 = request.sigV4 else { return [] }
        return [
            cp_curl_setopt_string(handle, CURLOPT_AWS_SIGV4, sigV4.provider),
            cp_curl_setopt_string(handle, CURLOPT_USERNAME, sigV4.user),
            cp_curl_setopt_string(handle, CURLOPT_PASSWORD, sigV4.password),
        ]
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        max(1, Int((duration.components.seconds * 1000) + duration.components.attoseconds / 1_000_000_000_000_000))
    }

    /// The URL without its query, for error text (a query may carry a token).
    static func redacted(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }
}

/// Where libcurl's callbacks put one answer; reached through the `void *` context they are given.
private final class ResponseCollector {
    var body: [UInt8] = []
    var headers: [String: String] = [:]
    var headerBytes = 0
    var overflowed = false

    func append(body data: UnsafeRawBufferPointer) -> Bool {
        guard body.count + data.count <= CurlEasy.maxResponseBytes else {
            overflowed = true
            return false
        }
        body.append(contentsOf: data)
        return true
    }

    func append(headerLine data: UnsafeRawBufferPointer) -> Bool {
        headerBytes += data.count
        guard headerBytes <= CurlEasy.maxResponseBytes else {
            overflowed = true
            return false
        }
        let line = String(decoding: data, as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            headers.removeAll()  // a new status line (after 100 Continue): the earlier headers were not the answer's
        } else if let colon = line.firstIndex(of: ":") {
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            headers[String(line[..<colon])] = String(value.prefix { $0 != "\r" && $0 != "\n" })
        }
        return true
    }

    /// What libcurl's write and header callbacks do: `count` bytes at `data` go to the collector
    /// behind `context` (one header line per call for headers); returning less than `count` aborts the transfer.
    static func deliver(_ data: UnsafeMutablePointer<CChar>?, _ count: Int, to context: UnsafeMutableRawPointer?, header: Bool) -> Int {
        guard let context, let data else { return 0 }
        let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
        let bytes = UnsafeRawBufferPointer(start: data, count: count)
        return (header ? collector.append(headerLine: bytes) : collector.append(body: bytes)) ? count : 0
    }
}
