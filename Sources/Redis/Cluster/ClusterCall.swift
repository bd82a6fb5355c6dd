/// One call on a cluster: the commands go to the primary that serves their slot, and those answered
/// `MOVED` or `ASK` go again to the node named, up to `maxRedirects` times. A command answered with a
/// redirect did not run, so sending it again is safe; the others keep the replies they got, so the
/// caller sees one reply per command, in order, as from a single node.
///
/// `MOVED` (the slot lives elsewhere now) and a lost connection to a primary (a failover may be under
/// way) or `CLUSTERDOWN` mark the router's map stale; `ASK` (a slot half-way through a migration)
/// does not: it is for this one command, sent after `ASKING` on the target's connection.
enum ClusterCall {
    /// Sends commands to one node; `asking`: each preceded by `ASKING` (the transport pairs them).
    typealias Send = @Sendable (_ commands: [[[UInt8]]], _ node: RedisNodeAddress, _ asking: Bool) async throws -> [RedisValue]

    static let maxRedirects = 5

    static func run(_ commands: [[[UInt8]]], slot: Int?, router: ClusterRouter, send: Send) async throws -> [RedisValue] {
        var target = try await router.primary(forSlot: slot)
        var replies = [RedisValue?](repeating: nil, count: commands.count)
        var pending = Array(commands.indices)
        var asking = false
        for _ in 0...maxRedirects {
            let answered: [RedisValue]
            do {
                answered = try await send(pending.map { commands[$0] }, target, asking)
            } catch let error as RedisError where error.kind == .connection || error.kind == .unavailable {
                await router.markStale()  // the primary may be gone, its replica taking over
                throw error
            }
            var redirect: ClusterRedirect?
            var stillPending: [Int] = []
            for (index, reply) in zip(pending, answered) {
                if let found = ClusterRedirect(reply, defaultHost: target.host) {
                    redirect = redirect ?? found
                    stillPending.append(index)
                } else {
                    if case .error(let message) = reply, message.hasPrefix("CLUSTERDOWN") { await router.markStale() }
                    replies[index] = reply
                }
            }
            guard let redirect else { return replies.map { $0! } }
            if case .moved = redirect { await router.markStale() }
            asking = if case .ask = redirect { true } else { false }
            target = redirect.target
            pending = stillPending
        }
        throw RedisError(kind: .unavailable, message: "TRYAGAIN more than \(maxRedirects) cluster redirects for one call")
    }
}
