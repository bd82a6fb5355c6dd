import Curl
import Message
import Testing

@testable import Secrets

@Suite struct SecretsManagerClientTests {
    private static let settings = SecretsSettings(
        databaseSecret: "count/db", redisSecret: nil, region: "eu-west-1", endpoint: "http://127.0.0.1:4566",
        credentials: .environment(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "the-secret-key", sessionToken: "the-token")))

    private func client(_ transport: FakeTransport, credentials: AWSCredentialSettings = settings.credentials) -> SecretsManagerClient {
        SecretsManagerClient(
            settings: Self.settings, credentials: AWSCredentialProvider(settings: credentials, transport: transport), transport: transport)
    }

    @Test func theCallIsASignedGetSecretValue() async throws {
        let transport = FakeTransport { _ in FakeTransport.json(200, #"{"ARN":"arn","Name":"count/db","SecretString":"{\"password\":\"p\"}","CreatedDate":1.7E9}"#) }
        let text = try await client(transport).secretString("count/db", timeout: .seconds(2))
        #expect(text.value == #"{"password":"p"}"#)
        let request = try #require(transport.requests.first)
        #expect(request.method == .post && request.url == "http://127.0.0.1:4566")
        #expect(String(decoding: request.body, as: UTF8.self) == #"{"SecretId":"count/db"}"#)
        #expect(request.header("X-Amz-Target") == "secretsmanager.GetSecretValue")
        #expect(request.header("Content-Type") == "application/x-amz-json-1.1")
        #expect(request.header("X-Amz-Security-Token") == "the-token")
        #expect(request.sigV4?.provider == "aws:amz:eu-west-1:secretsmanager")
        #expect(request.sigV4?.user == "AKID" && request.sigV4?.password == "the-secret-key")
    }

    @Test(arguments: [
        (400, #"{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}"#, [:], "ResourceNotFoundException", true),
        (400, #"{"__type":"com.amazonaws.secretsmanager#AccessDeniedException"}"#, [:], "AccessDeniedException", true),
        (403, #"{"__type":"InvalidSignatureException","message":"The Canonical String for this request should have been 'POST / x-amz-security-token:the-token'"}"#, [:], "InvalidSignatureException", true),
        (400, #"{"__type":"UnrecognizedClientException"}"#, [:], "UnrecognizedClientException", true),
        (400, #"{"__type":"ThrottlingException","message":"Rate exceeded"}"#, [:], "ThrottlingException", false),
        (400, "", ["x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/"], "ThrottlingException", false),
        (500, #"{"__type":"InternalServiceError"}"#, [:], "InternalServiceError", false),
        (503, "<html>busy</html>", [:], "HTTP503", false),
        (404, "", [:], "HTTP404", true),
        (403, "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>m</Message></Error></Errors></ErrorResponse>", [:], "SignatureDoesNotMatch", true),
        (403, "<ErrorResponse><Error><Code>InvalidClientTokenId</Code></Error></ErrorResponse>", [:], "InvalidClientTokenId", true),
    ] as [(Int, String, [String: String], String, Bool)])
    func errorsAreClassifiedByTheirAWSCode(status: Int, body: String, headers: [String: String], code: String, permanent: Bool) async {
        let transport = FakeTransport { _ in FakeTransport.json(status, body, headers: headers) }
        await #expect {
            try await client(transport).secretString("count/db", timeout: .seconds(2))
        } throws: { error in
            guard let error = error as? SecretFetchError else { return false }
            let text = "\(error) \(String(reflecting: error))"
            return error.code == code && error.isPermanent == permanent && !text.contains("the-token") && !text.contains("Canonical")
        }
    }

    @Test func transportFailuresAreTransientUnlessTheRequestCannotWork() async {
        for (code, permanent) in [(7, false), (28, false), (60, true), (1, true)] {
            let transport = FakeTransport { _ in throw CurlError(code: code, message: "failed") }
            await #expect {
                try await client(transport).secretString("count/db", timeout: .seconds(2))
            } throws: { error in
                (error as? SecretFetchError)?.isPermanent == permanent && (error as? SecretFetchError)?.code.hasPrefix("Transport") == true
            }
        }
    }

    @Test func answersWithoutAUsableSecretStringArePermanent() async {
        for body in [#"{"Name":"x","SecretBinary":"AAAA"}"#, "not json"] {
            let transport = FakeTransport { _ in FakeTransport.json(200, body) }
            await #expect {
                try await client(transport).secretString("count/db", timeout: .seconds(2))
            } throws: { error in (error as? SecretFetchError)?.isPermanent == true }
        }
    }

    @Test func a403WithCachedContainerCredentialsIsTriedOnceMoreWithFreshOnes() async throws {
        let signedCalls = ScriptedFetch<Int>([.success(0)])
        let transport = FakeTransport { request in
            if request.url.hasSuffix("/creds") {
                return FakeTransport.json(200, #"{"AccessKeyId":"ASIA\#(signedCalls.calls)","SecretAccessKey":"s","Token":"t","Expiration":"2099-01-01T00:00:00Z"}"#)
            }
            _ = try signedCalls.next()
            // The second signed call is refused (the cached key was revoked); the others succeed.
            return signedCalls.calls == 2
                ? FakeTransport.json(403, #"{"__type":"ExpiredTokenException"}"#) : FakeTransport.json(200, #"{"SecretString":"v"}"#)
        }
        let client = client(transport, credentials: .container(url: "http://127.0.0.1:1/creds", token: nil))
        #expect(try await client.secretString("count/db", timeout: .seconds(2)).value == "v")
        #expect(transport.requests.map { $0.url.hasSuffix("/creds") } == [true, false])
        #expect(try await client.secretString("count/db", timeout: .seconds(2)).value == "v")
        #expect(transport.requests.map { $0.url.hasSuffix("/creds") } == [true, false, false, true, false])
        #expect(transport.requests.last?.sigV4?.user == "ASIA2")
    }

    @Test func a403WithFreshCredentialsIsNotRetried() async {
        let transport = FakeTransport { request in
            request.url.hasSuffix("/creds")
                ? FakeTransport.json(200, #"{"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"2099-01-01T00:00:00Z"}"#)
                : FakeTransport.json(403, #"{"__type":"AccessDeniedException"}"#)
        }
        let client = client(transport, credentials: .container(url: "http://127.0.0.1:1/creds", token: nil))
        await #expect(throws: SecretFetchError.self) { try await client.secretString("count/db", timeout: .seconds(2)) }
        #expect(transport.requests.count == 2)
    }
}
