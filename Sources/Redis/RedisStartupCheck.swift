import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Before a program starts serving: if Redis refuses it (credentials, TLS), that stays so until
/// someone changes a setting, so the program logs the one line that says why and exits 1. An
/// unreachable Redis is only a warning: it may come up later, and the programs recover by themselves.
public func exitIfRedisRefuses(_ settings: RedisSettings, logger: Logger) async {
    let redis = RedisClient(settings: settings, poolSize: 1)
    let failure: (any Error)?
    do {
        try await redis.ping(deadline: .after(.seconds(3)))
        failure = nil
    } catch {
        failure = error
    }
    await redis.shutdown()
    if let refusal = failure as? RedisError, refusal.isRefusal {
        logger.critical("Redis at \(settings.endpointDescription) refused this program: \(refusal.message)")
        exit(1)
    } else if let failure {
        logger.warning("Redis is not reachable yet; starting anyway, connecting when it is", metadata: ["error": "\(failure)"])
    }
}
