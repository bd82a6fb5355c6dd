import Hummingbird
import NIOCore

/// A complete JSON error answer as raw HTTP/1.1 bytes, for the few refusals made below the HTTP
/// codec (too many connections, a request that never finished arriving), where no request is
/// there to answer through the router. It closes the connection.
enum CannedResponse {
    static func bytes(of error: APIError, requestID: String) -> ByteBuffer {
        let body = error.body
        var head = "HTTP/1.1 \(error.status.code) \(error.status.reasonPhrase)\r\n"
        head += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        head += "X-Request-Id: \(requestID)\r\n"
        if let retryAfterSeconds = error.retryAfterSeconds { head += "Retry-After: \(retryAfterSeconds)\r\n" }
        return ByteBuffer(string: head + "\r\n" + body)
    }
}
