import Curl

/// The `healthcheck` subcommand's probe: a GET through libcurl, for container images that have no
/// curl binary. It runs once in a short-lived process, so it blocks on the calling thread.
public enum HealthProbe {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Succeeds when `url` answers 200 within `timeout`.
    public static func check(url: String, timeout: Duration) throws(Failure) {
        let response: HTTPResponse
        do {
            response = try CurlEasy().perform(HTTPRequest(url: url, timeout: timeout))
        } catch {
            throw Failure(description: "\(error.message)")
        }
        guard response.status == 200 else { throw Failure(description: "\(url) answered HTTP \(response.status)") }
    }
}
