import Settings
import Testing

@testable import Secrets

/// No secret value shows however a value holding one is printed.
@Suite struct RedactionTests {
    private static let secretWords = ["hunter2-db", "hunter2-redis", "wJalrXUtnFEMI", "FwoGZXIvYXdz", "plain-text-secret"]

    private func printed(_ value: Any) -> String {
        var dumped = ""
        dump(value, to: &dumped)
        return "\(value) \(String(reflecting: value)) \(dumped)"
    }

    @Test func noValueInAnyDescription() {
        let values: [Any] = [
            DatabaseSecret(username: "count", password: "hunter2-db", host: "db", port: 3306, dbname: "count"),
            RedisSecret(username: "producer", password: "hunter2-redis"),
            AWSCredentials(accessKeyID: "AKID", secretAccessKey: "wJalrXUtnFEMI", sessionToken: "FwoGZXIvYXdz"),
            AWSCredentialSettings.environment(AWSCredentials(accessKeyID: "AKID", secretAccessKey: "wJalrXUtnFEMI")),
            Credential(user: "count", password: "hunter2-db", version: 3),
            SecretText("plain-text-secret"),
        ]
        for value in values {
            let text = printed(value)
            for word in Self.secretWords {
                #expect(!text.contains(word), "\(type(of: value)) printed \(word)")
            }
        }
        #expect(printed(Credential(user: "count", password: "x", version: 1)).contains("count"))
    }
}
