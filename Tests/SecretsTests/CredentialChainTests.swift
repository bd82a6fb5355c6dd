import Curl
import Settings
import Testing

@testable import Secrets

@Suite struct CredentialChainTests {
    private static let keys = ["AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "env-secret-key", "AWS_SESSION_TOKEN": "env-token"]
    private static let container = [
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9911/creds",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN": "token-value", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": "/run/token",
    ]

    private func chain(_ values: [String: String]) throws(ConfigurationError) -> AWSCredentialSettings {
        try AWSCredentialSettings(from: EnvironmentReader(values))
    }

    @Test func environmentKeysComeFirst() throws {
        let settings = try chain(Self.keys.merging(Self.container) { $1 })
        #expect(settings == .environment(AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "env-secret-key", sessionToken: "env-token")))
    }

    @Test func thenTheRelativeURIOnTheECSAddressThenTheFullURI() throws {
        #expect(try chain(Self.container) == .container(url: "http://169.254.170.2/v2/credentials/abc", token: .file("/run/token")))
        var full = Self.container
        full["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] = nil
        full["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = nil
        #expect(try chain(full) == .container(url: "http://127.0.0.1:9911/creds", token: .value("token-value")))
    }

    @Test func halfAKeyOrNothingAtAllOrAForeignPlainURLIsAConfigurationError() throws {
        #expect(throws: ConfigurationError(variable: "AWS_SECRET_ACCESS_KEY", problem: "is required but not set")) {
            try chain(["AWS_ACCESS_KEY_ID": "AKID"])
        }
        #expect(throws: ConfigurationError.self) { try chain([:]) }
        #expect(throws: ConfigurationError.self) { try chain(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://evil.example/creds"]) }
        #expect(throws: ConfigurationError.self) { try chain(["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "v2/creds"]) }
        #expect(try chain(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "https://creds.example/x"]) == .container(url: "https://creds.example/x", token: nil))
    }

    private static func credentialsAnswer(key: String, expiration: String) -> HTTPResponse {
        FakeTransport.json(200, #"{"AccessKeyId":"\#(key)","SecretAccessKey":"container-secret","Token":"container-token","Expiration":"\#(expiration)"}"#)
    }

    @Test func containerCredentialsAreKeptUntilFiveMinutesBeforeTheyExpire() async throws {
        let wall = ManualWallClock(UnixTimeFixture.base)  // 2026-12-04T19:00:00Z
        let transport = FakeTransport { request in
            #expect(request.header("Authorization") == "token-from-file")
            return Self.credentialsAnswer(key: "ASIA\(wall.now)", expiration: "2026-12-04T20:00:00Z")
        }
        let provider = AWSCredentialProvider(
            settings: .container(url: "http://127.0.0.1:1/creds", token: .file("/token")), transport: transport,
            wallClock: { wall.now }, readFile: { _ in "token-from-file\n" })
        let first = try await provider.credentials(timeout: .seconds(1))
        #expect(first.sessionToken == "container-token" && first.expiration == UnixTimeFixture.base + 3600)
        wall.advance(3600 - 301)
        #expect(try await provider.credentials(timeout: .seconds(1)) == first)
        #expect(transport.requests.count == 1)
        wall.advance(2)  // now inside the last five minutes
        let second = try await provider.credentials(timeout: .seconds(1))
        #expect(second.accessKeyID != first.accessKeyID && transport.requests.count == 2)
        provider.invalidate()
        _ = try await provider.credentials(timeout: .seconds(1))
        #expect(transport.requests.count == 3)
    }

    @Test func aBrokenEndpointAnswerIsAnErrorWithoutTheKeys() async {
        let cases: [(HTTPResponse, Bool)] = [
            (FakeTransport.json(200, #"{"AccessKeyId":"A","Token":"t"}"#), true),
            (FakeTransport.json(200, #"{"AccessKeyId":"A","SecretAccessKey":"hidden-key","Expiration":"soon"}"#), true),
            (FakeTransport.json(401, "no"), true),
            (FakeTransport.json(503, "busy"), false),
        ]
        for (answer, permanent) in cases {
            let provider = AWSCredentialProvider(settings: .container(url: "http://127.0.0.1:1/c", token: nil), transport: FakeTransport { _ in answer })
            await #expect {
                try await provider.credentials(timeout: .seconds(1))
            } throws: { error in
                guard let error = error as? SecretFetchError else { return false }
                return error.isPermanent == permanent && !"\(error)".contains("hidden-key")
            }
        }
    }
}

enum UnixTimeFixture {
    static let base: Int64 = 1_796_410_800  // 2026-12-04T19:00:00Z
}
