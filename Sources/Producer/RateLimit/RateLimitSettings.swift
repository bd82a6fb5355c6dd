import Settings

/// The optional per-client limit on `POST /count` (off unless RATE_LIMIT_PER_SECOND is set).
struct RateLimitSettings: Sendable, Equatable {
    /// Tokens a client earns per second.
    var perSecond: Int
    /// Most tokens a client can save up: how many requests it may send at once.
    var burst: Int

    /// nil when the limit is off (RATE_LIMIT_PER_SECOND unset or 0).
    static func read(from env: EnvironmentReader) throws(ConfigurationError) -> RateLimitSettings? {
        let perSecond = try env.integer("RATE_LIMIT_PER_SECOND", default: 0, in: 0...100_000)
        guard perSecond > 0 else {
            if env.optional("RATE_LIMIT_BURST") != nil {
                throw ConfigurationError(variable: "RATE_LIMIT_BURST", problem: "needs RATE_LIMIT_PER_SECOND set above 0")
            }
            return nil
        }
        let burst = try env.integer("RATE_LIMIT_BURST", default: perSecond * 2, in: 1...1_000_000)
        return RateLimitSettings(perSecond: perSecond, burst: burst)
    }
}
