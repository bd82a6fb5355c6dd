import Curl
import Settings

/// Which secrets the program reads and how to reach Secrets Manager (`DB_SECRET`, `REDIS_SECRET`,
/// `AWS_REGION`, `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `SECRET_REFRESH_S`, the AWS credential chain).
public struct SecretsSettings: Sendable, Equatable {
    /// Secret id or ARN of the database credential; nil: `DB_USER`/`DB_PASSWORD`.
    public var databaseSecret: String?
    /// Secret id or ARN of the Redis credential; nil: `REDIS_USERNAME`/`REDIS_PASSWORD`.
    public var redisSecret: String?
    public var region: String
    /// Where `GetSecretValue` goes: https, or http to a loopback host (tests).
    public var endpoint: String
    public var refreshInterval: Duration
    public var credentials: AWSCredentialSettings

    public init(
        databaseSecret: String?, redisSecret: String?, region: String, endpoint: String? = nil,
        refreshInterval: Duration = .seconds(300), credentials: AWSCredentialSettings
    ) {
        self.databaseSecret = databaseSecret
        self.redisSecret = redisSecret
        self.region = region
        self.endpoint = endpoint ?? "https://secretsmanager.\(region).amazonaws.com"
        self.refreshInterval = refreshInterval
        self.credentials = credentials
    }

    /// nil when no secret is named (the plain variables are used, as before).
    public static func read(from env: EnvironmentReader) throws(ConfigurationError) -> SecretsSettings? {
        let databaseSecret = env.optional("DB_SECRET")
        let redisSecret = env.optional("REDIS_SECRET")
        try refuseBothForms(
            secret: "DB_SECRET", isSet: databaseSecret != nil, plain: [("DB_USER", env.optional("DB_USER")), ("DB_PASSWORD", env.optional("DB_PASSWORD"))])
        try refuseBothForms(
            secret: "REDIS_SECRET", isSet: redisSecret != nil,
            plain: [("REDIS_USERNAME", env.optional("REDIS_USERNAME")), ("REDIS_PASSWORD", env.optional("REDIS_PASSWORD"))])
        let refresh = try env.integer("SECRET_REFRESH_S", default: 300, in: 10...86_400)
        guard databaseSecret != nil || redisSecret != nil else { return nil }
        let named = databaseSecret != nil ? "DB_SECRET" : "REDIS_SECRET"
        guard let region = env.optional("AWS_REGION") ?? env.optional("AWS_DEFAULT_REGION") else {
            throw ConfigurationError(variable: "AWS_REGION", problem: "is required when \(named) is set (or AWS_DEFAULT_REGION)")
        }
        guard region.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }) else {
            throw ConfigurationError(variable: "AWS_REGION", problem: "must be a region name such as eu-west-1, got \"\(region)\"")
        }
        let endpoint = env.optional("AWS_ENDPOINT_URL_SECRETS_MANAGER") ?? env.optional("AWS_ENDPOINT_URL")
        if let endpoint {
            let variable = env.optional("AWS_ENDPOINT_URL_SECRETS_MANAGER") != nil ? "AWS_ENDPOINT_URL_SECRETS_MANAGER" : "AWS_ENDPOINT_URL"
            try checkEndpoint(endpoint, variable: variable)
        }
        return SecretsSettings(
            databaseSecret: databaseSecret, redisSecret: redisSecret, region: region, endpoint: endpoint,
            refreshInterval: .seconds(refresh), credentials: try AWSCredentialSettings(from: env))
    }

    /// `plain`: each plain variable of the credential with its value, if set (never shown).
    private static func refuseBothForms(secret: String, isSet: Bool, plain: [(name: String, value: String?)]) throws(ConfigurationError) {
        guard isSet, let given = plain.first(where: { $0.value != nil }) else { return }
        throw ConfigurationError(
            variable: secret, problem: "is set together with \(given.name): give the credential either as a secret or as plain variables, not both")
    }

    /// https anywhere; http only to this machine (a test's server), never across a network.
    static func checkEndpoint(_ url: String, variable: String) throws(ConfigurationError) {
        guard let parts = URLParts(url), parts.scheme == "https" || URLParts.isLoopback(parts.host) else {
            throw ConfigurationError(variable: variable, problem: "must be an https:// URL (http:// only to a loopback host), got \"\(url)\"")
        }
    }
}
