/// Keeps the cluster's slot map and says which primary to send a key's commands to.
///
/// The map is read with `CLUSTER SLOTS` at first use and again after anything suggests it changed:
/// a MOVED reply, a connection to a primary lost (its replica may be taking over), CLUSTERDOWN.
/// Refreshes are single-flight (every caller that finds the map stale awaits the same one) and at
/// most one per `minimumRefreshInterval`, so a failover does not turn into a storm of CLUSTER SLOTS.
actor ClusterRouter {
    typealias FetchSlots = @Sendable (RedisNodeAddress) async throws -> ClusterSlotMap

    private let seed: RedisNodeAddress
    private let fetchSlots: FetchSlots
    private let minimumRefreshInterval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private var map = ClusterSlotMap()
    private var isStale = true
    private var refreshedAt: ContinuousClock.Instant?
    private var refreshing: Task<ClusterSlotMap, any Error>?

    /// - Parameters:
    ///   - now: the clock behind `minimumRefreshInterval` (a test's own, to step it by hand).
    ///   - fetchSlots: reads `CLUSTER SLOTS` from one node (a fake in the unit tests).
    init(
        seed: RedisNodeAddress, minimumRefreshInterval: Duration = .milliseconds(100),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }, fetchSlots: @escaping FetchSlots
    ) {
        self.seed = seed
        self.minimumRefreshInterval = minimumRefreshInterval
        self.now = now
        self.fetchSlots = fetchSlots
    }

    /// The primary for `slot`; nil slot (a keyless command such as PING): any primary.
    func primary(forSlot slot: Int?) async throws -> RedisNodeAddress {
        if isStale || map.isEmpty {
            try await refresh()
        }
        guard let slot else { return map.primaries.first ?? seed }
        guard let address = map.primary(forSlot: slot) else {
            isStale = true
            throw RedisError(kind: .unavailable, message: "CLUSTERDOWN no node serves hash slot \(slot) (yet)")
        }
        return address
    }

    /// Something suggests the map changed; the next lookup reads it again.
    func markStale() {
        isStale = true
    }

    private func refresh() async throws {
        if let refreshing {
            adopt(try await refreshing.value)
            return
        }
        if let refreshedAt, !map.isEmpty, now() - refreshedAt < minimumRefreshInterval { return }
        // The seed first (a configuration endpoint follows the cluster by itself), then every primary
        // known so far: the seed may be the node that just failed.
        let candidates = [seed] + map.primaries.filter { $0 != seed }
        let task = Task { [fetchSlots] in
            var lastError: any Error = RedisError(kind: .connection, message: "no cluster node to ask")
            for candidate in candidates {
                do {
                    let fresh = try await fetchSlots(candidate)
                    if !fresh.isEmpty { return fresh }
                    lastError = RedisError(kind: .unavailable, message: "CLUSTERDOWN \(candidate) reports no slots")
                } catch {
                    lastError = error
                }
            }
            throw lastError
        }
        refreshing = task
        defer { refreshing = nil }
        refreshedAt = now()
        adopt(try await task.value)
    }

    /// Every caller that awaited a refresh adopts its result, whichever of them resumes first.
    private func adopt(_ fresh: ClusterSlotMap) {
        map = fresh
        isStale = false
    }
}
