import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Shared
import Testing

@testable import Producer

/// What the public port answers and what it keeps to the operations port: routes, request ids,
/// browser headers, the write token and the rate limit, through the router without sockets.
@Suite struct PublicSurfaceTests {
    private static let json: HTTPFields = [.contentType: "application/json"]

    private func app(_ configure: (inout ProducerConfiguration) -> Void = { _ in }, queue: RouterTests.MemoryQueue = .init()) -> some ApplicationProtocol {
        var configuration = RouterTests.configuration()
        configure(&configuration)
        return Application(router: buildRouter(configuration, dependencies: RouterTests.dependencies(queue: queue)))
    }

    private func post(_ client: some TestClientProtocol, headers: HTTPFields = json) async throws -> (HTTPResponse.Status, HTTPFields, String?) {
        try await client.execute(uri: "/api/count", method: .post, headers: headers, body: ByteBuffer(string: #"{"count": 1}"#)) { response in
            let body = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            return (response.status, response.headers, body?["error"] as? String)
        }
    }

    @Test(arguments: ["/metrics", "/ready", "/api/metrics", "/api/ready"])
    func operationsRoutesAreNotOnThePublicPort(path: String) async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/json")
                #expect(String(buffer: response.body).contains("\"not_found\""))
            }
        }
    }

    @Test func everyAnswerCarriesARequestIDAndTheBrowserHeaders() async throws {
        try await app().test(.router) { client in
            var ids = Set<String>()
            for (path, method) in [("/health", HTTPRequest.Method.get), ("/nope", .get), ("/count", .delete)] {
                try await client.execute(uri: path, method: method) { response in
                    let id = try #require(response.headers[.requestID])
                    ids.insert(id)
                    #expect(response.headers[.contentSecurityPolicy] == BrowserPolicy.contentSecurityPolicy)
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[.referrerPolicy] == BrowserPolicy.referrerPolicy)
                }
            }
            #expect(ids.count == 3, "one id per request")
        }
        #expect(BrowserPolicy.contentSecurityPolicy.contains("frame-ancestors 'none'"))
        #expect(!BrowserPolicy.contentSecurityPolicy.contains("unsafe-inline"))
    }

    @Test func aWriteTokenGuardsPostButNotReads() async throws {
        let queue = RouterTests.MemoryQueue()
        try await app({ $0.writeToken = "0123456789abcdef-token" }, queue: queue).test(.router) { client in
            let (missing, missingHeaders, missingCode) = try await post(client)
            #expect(missing == .unauthorized && missingCode == "write_token_required")
            #expect(missingHeaders[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            var headers = Self.json
            headers[.authorization] = "Bearer 0123456789abcdef-tokeX"
            let (wrong, _, wrongCode) = try await post(client, headers: headers)
            #expect(wrong == .unauthorized && wrongCode == "write_token_invalid")
            headers[.authorization] = "bearer 0123456789abcdef-token"
            #expect(try await post(client, headers: headers).0 == .created)
            let read = try await client.execute(uri: "/count", method: .get) { $0.status }
            #expect(read == .ok)
        }
        #expect(queue.messages.withLock { $0.count } == 1)
    }

    @Test func theRateLimitAnswers429WithRetryAfterOncePostsOutrunIt() async throws {
        try await app({ $0.rateLimit = RateLimitSettings(perSecond: 1, burst: 2) }).test(.router) { client in
            #expect(try await post(client).0 == .created)
            #expect(try await post(client).0 == .created)
            let (status, headers, code) = try await post(client)
            #expect(status == .tooManyRequests && code == "rate_limited")
            #expect(headers[.retryAfter] == "1")
            let read = try await client.execute(uri: "/stats", method: .get) { $0.status }
            #expect(read == .ok, "reads are not limited")
        }
    }
}
