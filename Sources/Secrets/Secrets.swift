// Secrets: database and Redis credentials fetched from AWS Secrets Manager while the program runs.
//
// `SecretsSettings` reads which secrets are named (`DB_SECRET`, `REDIS_SECRET`), the region, the
// endpoint and `SECRET_REFRESH_S`. `AWSCredentialProvider` finds the AWS credentials the way the
// SDKs do (environment keys, then the ECS container endpoint), refreshed before they expire.
// `SecretsManagerClient` makes the signed `GetSecretValue` call through Curl and classifies its
// errors (`SecretFetchError`); `DatabaseSecret` / `RedisSecret` read the SecretString shapes.
// `SecretSource` holds the value in use, re-reads it on a period and when a server refuses it, and
// is the `CredentialSource` the Database and Redis modules log in with. No secret value appears
// in any description, log line or metric. Depends on Curl, Settings, Message, Observability, Resilience.
