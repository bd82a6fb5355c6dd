// Settings: reading the process environment, and nothing else.
//
// `EnvironmentReader` is the one way a program reads an environment variable: typed, validated,
// every failure a `ConfigurationError` that names the variable (and never prints a secret).
// `loadConfiguration` turns such an error into the one line a program prints before it exits 2.
// Each module defines its own settings type next to the code that uses it (`RedisSettings` in
// Redis, `QueueSettings` in Queue, `DatabaseSettings` in Database, `LogSettings` in Observability),
// read through this reader. Depends on nothing of ours.
