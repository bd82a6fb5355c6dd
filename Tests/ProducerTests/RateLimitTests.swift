import Testing

@testable import Producer

/// The token bucket and the choice of the client's address, as pure logic (time is passed in).
@Suite struct RateLimitTests {
    private let settings = RateLimitSettings(perSecond: 2, burst: 3)

    @Test func aClientMaySpendItsBurstThenEarnsTokensAtTheRate() {
        var buckets = TokenBuckets(settings: settings)
        #expect((0..<3).map { _ in buckets.take("a", now: 0) } == [.allowed, .allowed, .allowed])
        #expect(buckets.take("a", now: 0) == .limited(retryAfterSeconds: 1))
        #expect(buckets.take("b", now: 0) == .allowed, "each client has its own bucket")
        #expect(buckets.take("a", now: 0.5) == .allowed, "half a second at 2/s earns one token")
        #expect(buckets.take("a", now: 0.5) == .limited(retryAfterSeconds: 1))
        #expect((0..<3).map { _ in buckets.take("a", now: 100) } == [.allowed, .allowed, .allowed], "never more than the burst")
        #expect(buckets.take("a", now: 100) != .allowed)
    }

    @Test func retryAfterRoundsUpToWholeSeconds() {
        var buckets = TokenBuckets(settings: RateLimitSettings(perSecond: 1, burst: 1))
        #expect(buckets.take("a", now: 0) == .allowed)
        #expect(buckets.take("a", now: 0.1) == .limited(retryAfterSeconds: 1))
        var slow = TokenBuckets(settings: RateLimitSettings(perSecond: 1, burst: 1))
        _ = slow.take("a", now: 0)
        #expect(slow.take("a", now: 0) == .limited(retryAfterSeconds: 1))
    }

    @Test func memoryIsBoundedAndIdleBucketsAreEvicted() {
        var buckets = TokenBuckets(settings: settings, capacity: 4)
        for client in ["a", "b", "c", "d"] { _ = buckets.take(client, now: 0) }
        #expect(buckets.trackedClients == 4)
        // The table is full of clients still refilling: a newcomer shares the overflow bucket.
        #expect(buckets.take("e", now: 0.1) == .allowed)
        #expect(buckets.trackedClients == 4)
        // Once they have refilled they are indistinguishable from new clients and make room.
        #expect(buckets.take("f", now: 10) == .allowed)
        #expect(buckets.trackedClients == 1)
    }

    /// Room is made from the least recently used end only: the oldest bucket that has refilled
    /// goes, one used since stays, and a table full of refilling buckets sends newcomers to overflow.
    @Test func theLeastRecentlyUsedRefilledBucketMakesRoom() {
        var buckets = TokenBuckets(settings: RateLimitSettings(perSecond: 1, burst: 2), capacity: 3)
        _ = buckets.take("a", now: 0)  // a refills (1 of 2 tokens missing) at 1
        _ = buckets.take("b", now: 0.5)
        _ = buckets.take("c", now: 0.7)
        _ = buckets.take("a", now: 0.9)  // a used again: now the newest, 0.9 tokens, full again at 2
        // At 1.6 b (full at 1.5) is the oldest and refilled: it alone makes room for d (c is full at 1.7).
        #expect(buckets.take("d", now: 1.6) == .allowed)
        #expect(buckets.trackedClients == 3)
        // a kept its state: 0.9 tokens at 0.9, 1.6 by 1.6, so one take and no second.
        #expect(buckets.take("a", now: 1.6) == .allowed)
        #expect(buckets.take("a", now: 1.6) == .limited(retryAfterSeconds: 1))
        // At 1.7 c, now the oldest and refilled, goes for e; then the oldest, d, is still refilling,
        // so f shares the overflow bucket.
        #expect(buckets.take("e", now: 1.7) == .allowed)
        #expect(buckets.trackedClients == 3)
        #expect(buckets.take("f", now: 1.7) == .allowed)
        #expect(buckets.trackedClients == 3)
        #expect(buckets.take("f", now: 1.7) == .allowed)
        #expect(buckets.take("g", now: 1.7) == .limited(retryAfterSeconds: 1), "f and g share one overflow bucket of 2")
    }

    @Test func clientsBeyondTheTableShareOneBucket() {
        var buckets = TokenBuckets(settings: settings, capacity: 1)
        _ = buckets.take("tracked", now: 0)
        let spray = (0..<4).map { buckets.take("sprayed-\($0)", now: 0) }
        #expect(spray == [.allowed, .allowed, .allowed, .limited(retryAfterSeconds: 1)])
        #expect(buckets.take("tracked", now: 0) == .allowed, "the tracked client keeps its own tokens")
    }

    @Test func withoutTrustThePeerIsTheClient() {
        #expect(ClientAddress.select(peer: "10.0.0.5", forwardedFor: ["1.2.3.4"], trustedHops: 0) == "10.0.0.5")
        #expect(ClientAddress.select(peer: nil, forwardedFor: [], trustedHops: 0) == "unknown")
    }

    @Test func trustedHopsCountFromTheRight() {
        // CloudFront writes the viewer, the ALB appends CloudFront: two trusted hops.
        let chain = ["203.0.113.9, 198.51.100.7"]
        #expect(ClientAddress.select(peer: "10.0.0.5", forwardedFor: chain, trustedHops: 2) == "203.0.113.9")
        #expect(ClientAddress.select(peer: "10.0.0.5", forwardedFor: chain, trustedHops: 1) == "198.51.100.7")
        // Whatever the client sent itself stays left of the trusted entries and is ignored.
        let spoofed = ["6.6.6.6, 203.0.113.9", "198.51.100.7"]
        #expect(ClientAddress.select(peer: "10.0.0.5", forwardedFor: spoofed, trustedHops: 2) == "203.0.113.9")
        #expect(ClientAddress.select(peer: "10.0.0.5", forwardedFor: ["2001:db8::1"], trustedHops: 1) == "2001:db8::1")
    }

    @Test func shortOrUnusableChainsFallBackSafely() {
        #expect(ClientAddress.select(peer: "10.0.0.5", forwardedFor: ["203.0.113.9"], trustedHops: 3) == "203.0.113.9")
        #expect(ClientAddress.select(peer: "10.0.0.5", forwardedFor: [], trustedHops: 2) == "10.0.0.5")
        #expect(ClientAddress.select(peer: "10.0.0.5", forwardedFor: ["not an address"], trustedHops: 1) == "10.0.0.5")
        #expect(ClientAddress.select(peer: "10.0.0.5", forwardedFor: [" , "], trustedHops: 1) == "10.0.0.5")
    }
}
