import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// A Producer's answer to `POST /count`, as the integration tests read it.
struct PostedCount {
    let status: HTTPResponse.Status
    /// The response's JSON object; empty when the body is not one.
    let json: [String: Any]
    /// The message id, when the value was accepted (201).
    var acceptedID: String? { status == .created ? json["id"] as? String : nil }
}

extension TestClientProtocol {
    /// POSTs `body` to `/count` as JSON.
    func postCount(_ body: String) async throws -> PostedCount {
        try await execute(uri: "/count", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)) { response in
            PostedCount(status: response.status, json: (try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]) ?? [:])
        }
    }

    /// POSTs `{"count": value}`.
    func postCount(_ value: Int) async throws -> PostedCount {
        try await postCount(#"{"count": \#(value)}"#)
    }
}
