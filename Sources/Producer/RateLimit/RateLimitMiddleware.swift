import Hummingbird
import Synchronization

/// The per-client token buckets behind the routes it guards, shared by every request.
final class RateLimiter: Sendable {
    let trustedProxyHops: Int
    private let buckets: Mutex<TokenBuckets>
    private let start = ContinuousClock.now

    init(settings: RateLimitSettings, trustedProxyHops: Int) {
        self.trustedProxyHops = trustedProxyHops
        buckets = Mutex(TokenBuckets(settings: settings))
    }

    func take(_ client: String) -> TokenBuckets.Decision {
        let now = (ContinuousClock.now - start) / .seconds(1)
        return buckets.withLock { $0.take(client, now: now) }
    }
}

/// Answers 429 with `Retry-After` to a client that has spent its tokens. The client is the peer
/// address, or the X-Forwarded-For hop TRUSTED_PROXY_HOPS names.
struct RateLimitMiddleware<Context: RequestContext & RemoteAddressRequestContext>: RouterMiddleware {
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let client = ClientAddress.select(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor],
            trustedHops: limiter.trustedProxyHops)
        if case .limited(let seconds) = limiter.take(client) {
            RejectionReason.rateLimited.count()
            context.logger.info("rate limited", metadata: ["client": "\(client)"])
            throw APIError(status: .tooManyRequests, code: "rate_limited",
                           message: "too many values from this client; wait \(seconds) s before sending again", retryAfterSeconds: seconds)
        }
        return try await next(request, context)
    }
}
