import CCurl

/// The `healthcheck` subcommand's probe: a GET through libcurl, for container images that have no
/// curl binary. libcurl is loaded on first use (see CCurl/shim.h), so the daemons never map it.
public enum HealthProbe {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Function pointers into libcurl, never changed after this one initialisation.
    nonisolated(unsafe) private static let curl: cp_curl_api? = {
        var api = cp_curl_api()
        guard cp_curl_load(&api) != 0, api.global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK else { return nil }
        return api
    }()

    /// Succeeds when `url` answers 200 within `timeout`.
    public static func check(url: String, timeout: Duration) throws(Failure) {
        guard var api = curl else { throw Failure(description: "libcurl (libcurl.so.4) is not installed") }
        guard let handle = api.easy_init() else { throw Failure(description: "cannot initialise libcurl") }
        defer { api.easy_cleanup(handle) }
        let milliseconds = max(1, Int(timeout.seconds * 1000))
        guard cp_curl_setopt_string(&api, handle, CURLOPT_URL, url) == CURLE_OK,
            cp_curl_setopt_long(&api, handle, CURLOPT_TIMEOUT_MS, milliseconds) == CURLE_OK,
            cp_curl_setopt_long(&api, handle, CURLOPT_NOSIGNAL, 1) == CURLE_OK,
            cp_curl_discard_response_body(&api, handle) == CURLE_OK
        else { throw Failure(description: "cannot configure libcurl for \(url)") }
        let result = api.easy_perform(handle)
        guard result == CURLE_OK else {
            throw Failure(description: "\(url): \(api.easy_strerror(result).map { String(cString: $0) } ?? "libcurl error \(result.rawValue)")")
        }
        var status = 0
        _ = cp_curl_getinfo_long(&api, handle, CURLINFO_RESPONSE_CODE, &status)
        guard status == 200 else { throw Failure(description: "\(url) answered HTTP \(status)") }
    }
}
