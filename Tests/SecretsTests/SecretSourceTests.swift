import Logging
import ServiceLifecycleTestKit
import Settings
import Testing

@testable import Secrets

@Suite struct SecretSourceTests {
    private static let logger = Logger(label: "test")
    private static let first = RedisSecret(username: "count", password: "first-password")
    private static let second = RedisSecret(username: "count_clone", password: "second-password")
    private static let throttled = SecretFetchError(code: "ThrottlingException", detail: "Secrets Manager answered HTTP 400", isPermanent: false)
    private static let notFound = SecretFetchError(code: "ResourceNotFoundException", detail: "Secrets Manager answered HTTP 400", isPermanent: true)

    private func source(_ fetch: ScriptedFetch<RedisSecret>, clock: ManualClock) async throws -> SecretSource<RedisSecret> {
        try await SecretSource<RedisSecret>.start(
            name: "redis", secretID: "count/redis", refreshInterval: .seconds(300), deadline: clock.now + .seconds(12), logger: Self.logger,
            now: { clock.now }
        ) { _ throws(SecretFetchError) in try fetch.next() }
    }

    @Test func aPermanentErrorAtStartIsThrownAtOnce() async {
        let fetch = ScriptedFetch<RedisSecret>([.failure(Self.notFound)])
        await #expect(throws: Self.notFound) { try await source(fetch, clock: ManualClock()) }
        #expect(fetch.calls == 1)
    }

    @Test func aTransientErrorAtStartIsRetriedUntilAValueComes() async throws {
        let fetch = ScriptedFetch<RedisSecret>([.failure(Self.throttled), .failure(Self.throttled), .success(Self.first)])
        let source = try await source(fetch, clock: ManualClock())
        #expect(fetch.calls == 3 && source.current == Credential(user: "count", password: "first-password", version: 1))
    }

    @Test func aTransientErrorStopsAtTheDeadline() async {
        let clock = ManualClock()
        let fetch = ScriptedFetch<RedisSecret>([.failure(Self.throttled)])
        await #expect(throws: Self.throttled) {
            try await SecretSource<RedisSecret>.start(
                name: "redis", secretID: "count/redis", refreshInterval: .seconds(300), deadline: clock.now + .seconds(1), logger: Self.logger,
                now: { clock.advance(.milliseconds(400)); return clock.now }
            ) { _ throws(SecretFetchError) in try fetch.next() }
        }
        #expect(fetch.calls <= 3)
    }

    @Test func theValueIsReReadEveryPeriodAndANewValueGetsANewVersion() async throws {
        let clock = ManualClock()
        let fetch = ScriptedFetch<RedisSecret>([.success(Self.first), .success(Self.first), .success(Self.second)])
        let source = try await source(fetch, clock: clock)
        clock.advance(.seconds(299))
        await source.refreshIfDue()
        #expect(fetch.calls == 1)
        clock.advance(.seconds(1))
        await source.refreshIfDue()
        #expect(fetch.calls == 2 && source.current.version == 1)  // the same value: still version 1
        clock.advance(.seconds(300))
        await source.refreshIfDue()
        #expect(fetch.calls == 3 && source.current == Credential(user: "count_clone", password: "second-password", version: 2))
    }

    @Test(.timeLimit(.minutes(1)))  // without the fix the refresh waits for a fetch that never ends
    func aRefreshWaitingOnASilentSecretsManagerEndsWhenGracefulShutdownBegins() async throws {
        let clock = ManualClock()
        let fetch = SilentAfterStart(Self.first)
        let source = try await SecretSource<RedisSecret>.start(
            name: "redis", secretID: "count/redis", refreshInterval: .seconds(300), deadline: clock.now + .seconds(12), logger: Self.logger,
            now: { clock.now }
        ) { _ throws(SecretFetchError) in try await fetch.next() }
        clock.advance(.seconds(300))
        try await testGracefulShutdown { trigger in
            fetch.whenWaiting { trigger.triggerGracefulShutdown() }  // shutdown begins while the refresh waits
            await source.refreshIfDue()
        }
        #expect(fetch.calls == 2)
        #expect(!fetch.waitEnded, "the refresh waited for the silent fetch to end")
        #expect(source.current == Credential(user: "count", password: "first-password", version: 1), "the last good value stays")
        fetch.release()
    }

    @Test func aRefusalAsksForAReadAtMostOnceEveryFiveSeconds() async throws {
        let clock = ManualClock()
        let fetch = ScriptedFetch<RedisSecret>([.success(Self.first)])
        let source = try await source(fetch, clock: clock)
        for _ in 0..<20 {
            source.refused(source.current)
            await source.refreshIfDue()
            clock.advance(.milliseconds(500))
        }
        // 10 s of refusals every half second: a read at 0 s, 5 s (and 10 s is not reached yet).
        #expect(fetch.calls == 1 + 2)
    }

    @Test func readinessIsRedWhileTheValueInUseIsRefused() async throws {
        let clock = ManualClock()
        let fetch = ScriptedFetch<RedisSecret>([.success(Self.first), .success(Self.second)])
        let source = try await source(fetch, clock: clock)
        let refusedValue = source.current
        #expect(source.problem == nil)
        source.refused(refusedValue)
        let problem = try #require(source.problem)
        #expect(problem.contains("count/redis") && !problem.contains("first-password"))
        await source.refreshIfDue()  // the refusal's read finds the rotated value
        #expect(source.current.version == 2 && source.problem != nil)
        source.refused(refusedValue)  // a late refusal of the old value changes nothing
        source.accepted(source.current)
        #expect(source.problem == nil)
    }

    @Test func failedRefreshesKeepTheLastValueAndBackOffWithoutSpinning() async throws {
        let clock = ManualClock()
        let fetch = ScriptedFetch<RedisSecret>([.success(Self.first), .failure(Self.throttled)])
        let source = try await source(fetch, clock: clock)
        clock.advance(.seconds(300))
        // Ten minutes of ticks every 100 ms: the failed reads back off (1 s doubling to 60 s, with jitter).
        for _ in 0..<6000 {
            await source.refreshIfDue()
            clock.advance(.milliseconds(100))
        }
        #expect(source.current.password == "first-password")
        #expect(fetch.calls > 5 && fetch.calls < 30, "\(fetch.calls) reads in 10 minutes")
    }
}
