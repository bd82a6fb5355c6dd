import CCurl

/// The `healthcheck` subcommand's probe: a GET through libcurl, for container images that have no curl binary.
public enum HealthProbe {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    private static let globalInit: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    /// Succeeds when `url` answers 200 within `timeout`.
    public static func check(url: String, timeout: Duration) throws(Failure) {
        guard globalInit, let handle = curl_easy_init() else { throw Failure(description: "cannot initialise libcurl") }
        defer { curl_easy_cleanup(handle) }
        let milliseconds = max(1, Int(timeout.seconds * 1000))
        guard cp_curl_setopt_string(handle, CURLOPT_URL, url) == CURLE_OK,
            cp_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, milliseconds) == CURLE_OK,
            cp_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK,
            cp_curl_discard_response_body(handle) == CURLE_OK
        else { throw Failure(description: "cannot configure libcurl for \(url)") }
        let result = curl_easy_perform(handle)
        guard result == CURLE_OK else {
            throw Failure(description: "\(url): \(String(cString: curl_easy_strerror(result)))")
        }
        var status = 0
        _ = cp_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        guard status == 200 else { throw Failure(description: "\(url) answered HTTP \(status)") }
    }
}
