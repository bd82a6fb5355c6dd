import Settings
import Testing

@testable import Secrets

@Suite struct SecretsSettingsTests {
    private static let base = ["DB_SECRET": "count/db", "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "k"]

    private func read(_ values: [String: String]) throws(ConfigurationError) -> SecretsSettings? {
        try SecretsSettings.read(from: EnvironmentReader(values))
    }

    @Test func nothingNamedNothingRead() throws {
        #expect(try read(["DB_USER": "u", "DB_PASSWORD": "p"]) == nil)
    }

    @Test func defaults() throws {
        let settings = try #require(try read(Self.base))
        #expect(settings.databaseSecret == "count/db" && settings.redisSecret == nil)
        #expect(settings.endpoint == "https://secretsmanager.eu-west-1.amazonaws.com" && settings.refreshInterval == .seconds(300))
    }

    @Test func bothFormsOfOneCredentialAreRefused() {
        for plain in ["DB_USER", "DB_PASSWORD"] {
            #expect(throws: ConfigurationError.self) { try read(Self.base.merging([plain: "x"]) { $1 }) }
        }
        for plain in ["REDIS_USERNAME", "REDIS_PASSWORD"] {
            #expect { try read(Self.base.merging(["REDIS_SECRET": "count/redis", plain: "x"]) { $1 }) } throws: { error in
                (error as? ConfigurationError)?.variable == "REDIS_SECRET" && !"\(error)".contains("\"x\"")
            }
        }
    }

    @Test func theRegionIsRequiredAndAWSDefaultRegionServes() throws {
        var values = Self.base
        values["AWS_REGION"] = nil
        #expect(throws: ConfigurationError(variable: "AWS_REGION", problem: "is required when DB_SECRET is set (or AWS_DEFAULT_REGION)")) {
            try read(values)
        }
        values["AWS_DEFAULT_REGION"] = "us-east-2"
        #expect(try read(values)?.region == "us-east-2")
    }

    @Test func theEndpointOverridesAndPlainHTTPOnlyToLoopback() throws {
        #expect(try read(Self.base.merging(["AWS_ENDPOINT_URL": "http://127.0.0.1:4566"]) { $1 })?.endpoint == "http://127.0.0.1:4566")
        let both = ["AWS_ENDPOINT_URL": "https://a.example", "AWS_ENDPOINT_URL_SECRETS_MANAGER": "https://vpce.example"]
        #expect(try read(Self.base.merging(both) { $1 })?.endpoint == "https://vpce.example")
        #expect(throws: ConfigurationError.self) { try read(Self.base.merging(["AWS_ENDPOINT_URL": "http://sm.example"]) { $1 }) }
    }

    @Test func theRefreshPeriodIsBounded() throws {
        #expect(try read(Self.base.merging(["SECRET_REFRESH_S": "10"]) { $1 })?.refreshInterval == .seconds(10))
        #expect(throws: ConfigurationError.self) { try read(Self.base.merging(["SECRET_REFRESH_S": "9"]) { $1 }) }
        #expect(throws: ConfigurationError.self) { try read(Self.base.merging(["SECRET_REFRESH_S": "86401"]) { $1 }) }
    }
}
