import Testing

@testable import Secrets

@Suite struct SecretShapeTests {
    @Test func databaseSecretWithEveryField() throws {
        let secret = try DatabaseSecret.parse(SecretText(#"{"username":"count","password":"p@ss\"w","host":"db.internal","port":"3307","dbname":"count_db","engine":"mysql","masterarn":"arn:aws:secretsmanager:eu-west-1:1:secret:m","dbInstanceIdentifier":"count"}"#))
        #expect(secret == DatabaseSecret(username: "count", password: "p@ss\"w", host: "db.internal", port: 3307, dbname: "count_db"))
        let numeric = try DatabaseSecret.parse(SecretText(#"{"username":"u","password":"p","port":3306}"#))
        #expect(numeric.port == 3306 && numeric.host == nil && numeric.dbname == nil)
    }

    @Test(arguments: [
        (#"{"username":"u"}"#, "has no password"),
        (#"{"password":"p"}"#, "has no username"),
        (#"{"username":"u","password":""}"#, "has no password"),
        (#"{"username":"u","password":42}"#, "password that is an integer"),
        (#"{"username":"u","password":"p","port":"x"}"#, "port that is not a whole number"),
        (#"{"username":"u","password":"p","port":70000}"#, "port that is not a whole number"),
        (#"{"username":"u","password":"p","port":true}"#, "port that is a boolean"),
        ("user:secret-value", "is not a JSON object"),
        (#"["u","p"]"#, "is not a JSON object"),
    ])
    func unusableDatabaseSecrets(text: String, problem: String) {
        #expect {
            try DatabaseSecret.parse(SecretText(text))
        } throws: { error in
            guard let error = error as? SecretFetchError else { return false }
            return error.isPermanent && error.code == "UnusableSecret" && error.detail.contains(problem) && !error.detail.contains("secret-value")
        }
    }

    @Test func redisSecretShapes() throws {
        #expect(try RedisSecret.parse(SecretText("plain-password")) == RedisSecret(password: "plain-password"))
        #expect(try RedisSecret.parse(SecretText(#"{"password":"p"}"#)) == RedisSecret(password: "p"))
        #expect(try RedisSecret.parse(SecretText(#"{"username":"producer","password":"p"}"#)) == RedisSecret(username: "producer", password: "p"))
        // Keys of other tools (the Terraform's user_arn) are ignored.
        #expect(try RedisSecret.parse(SecretText(#"{"username":"u","password":"p","user_arn":"arn:aws:elasticache:eu-west-1:1:user:u"}"#)) == RedisSecret(username: "u", password: "p"))
        // A password that happens to be a JSON number or string literal is still taken whole.
        #expect(try RedisSecret.parse(SecretText("12345")).password == "12345")
        #expect(try RedisSecret.parse(SecretText("\"quoted\"")).password == "\"quoted\"")
        #expect(throws: SecretFetchError.self) { try RedisSecret.parse(SecretText(#"{"username":"producer"}"#)) }
        #expect(throws: SecretFetchError.self) { try RedisSecret.parse(SecretText("")) }
    }

    @Test func loginsAreTheSecretsCredentials() throws {
        let database = try DatabaseSecret.parse(SecretText(#"{"username":"u","password":"p"}"#))
        #expect(database.login.user == "u" && database.login.password == "p")
        #expect(try RedisSecret.parse(SecretText("p")).login.user == nil)
    }
}
