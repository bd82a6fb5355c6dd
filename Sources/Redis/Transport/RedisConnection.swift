import NIOCore
import NIOPosix
import Resilience

/// One connection to a Redis node: a SwiftNIO channel on one of NIO's event loops, hiredis for the
/// protocol (`RedisChannelHandler`), swift-nio-ssl for TLS. Any number of callers may send at
/// once: their commands are pipelined and each gets its own replies. It owns its channel and
/// closes it in `close()` (or `deinit`); once closed or broken, `isUsable` is false for good.
public final class RedisConnection: Sendable {
    public let address: RedisNodeAddress
    private let channel: any Channel
    private let failure: RedisChannelHandler.Failure

    /// Over a channel whose pipeline ends in a `RedisChannelHandler` recording into `failure`
    /// (`connect` makes one; the unit tests make one on NIO's embedded channel).
    init(address: RedisNodeAddress, channel: any Channel, failure: RedisChannelHandler.Failure) {
        self.address = address
        self.channel = channel
        self.failure = failure
    }

    deinit { close() }

    public var isUsable: Bool { channel.isActive && failure.error == nil }

    public func close() {
        channel.close(promise: nil)
    }

    /// Connects within the deadline; with `tls`, the handshake (and the certificate check) runs
    /// before the first command; with a password, logs in (`AUTH`, as `username` if given).
    public static func connect(
        to address: RedisNodeAddress, username: String?, password: String?, tls: RedisTLS?, deadline: Deadline,
        on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()
    ) -> EventLoopFuture<RedisConnection> {
        guard !deadline.hasPassed else {
            return eventLoop.makeFailedFuture(RedisError(kind: .connection, message: "no time left to connect to \(address)"))
        }
        let describe: @Sendable (any Error) -> RedisError = { error in
            error as? RedisError ?? tls?.explain(error, address: address)
                ?? RedisError(kind: .connection, message: "connection to \(address) failed: \(error)")
        }
        let failure = RedisChannelHandler.Failure()
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(.nanoseconds(Int64(deadline.remaining.seconds * 1e9)))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
        for option in TCPLiveness.options {
            bootstrap = bootstrap.channelOption(
                ChannelOptions.Types.SocketOption(level: SocketOptionLevel(option.level), name: SocketOptionName(option.name)),
                value: SocketOptionValue(option.value))
        }
        let connected = bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(tls.handler(for: address)) }
                    try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(reader: RedisReplyReader(), failureSeen: failure, describe: describe))
                }
            }
            .connect(host: address.host, port: address.port)
            .flatMapErrorThrowing { throw describe($0) }
            .map { RedisConnection(address: address, channel: $0, failure: failure) }
        guard let password else { return connected }
        return connected.flatMap { connection in
            let auth = (username.map { ["AUTH", $0, password] } ?? ["AUTH", password]).map { Array($0.utf8) }
            return connection.send([auth], deadline: deadline).flatMapThrowing { replies in
                guard case .error(let message) = replies[0] else { return connection }
                let refusal = RedisError(serverReply: message)
                guard refusal.kind == .command || refusal.kind == .authentication else { throw refusal }
                throw RedisError(
                    kind: .authentication,
                    message: "\(message) (as user \(username ?? "default"); check REDIS_USERNAME and REDIS_PASSWORD, or the secret REDIS_SECRET names)")
            }.flatMapErrorThrowing { error in
                connection.close()
                throw error
            }
        }
    }

    /// Sends the commands in one write; the future holds their replies in order (error replies as
    /// `.error` values) or fails when the connection breaks or the deadline passes first.
    public func send(_ commands: [[[UInt8]]], deadline: Deadline) -> EventLoopFuture<[RedisValue]> {
        let promise = channel.eventLoop.makePromise(of: [RedisValue].self)
        send(commands, deadline: deadline, promise: promise)
        return promise.futureResult
    }

    /// `send`, awaited. A cancelled caller stops waiting at once; the reply, when it comes, is dropped.
    func replies(to commands: [[[UInt8]]], deadline: Deadline) async throws -> [RedisValue] {
        let promise = channel.eventLoop.makePromise(of: [RedisValue].self)
        return try await withTaskCancellationHandler {
            send(commands, deadline: deadline, promise: promise)
            return try await promise.futureResult.get()
        } onCancel: {
            promise.fail(CancellationError())
        }
    }

    private func send(_ commands: [[[UInt8]]], deadline: Deadline, promise: EventLoopPromise<[RedisValue]>) {
        var encoded = channel.allocator.buffer(capacity: 64)
        do {
            try RedisCommandEncoder.encode(commands, into: &encoded)
        } catch {
            promise.fail(error)
            return
        }
        // A channel already closed never reaches the handler: the failed write answers the request
        // then, with the reason the connection died if the handler saw one.
        channel.writeAndFlush(RedisRequest(encoded: encoded, replyCount: commands.count, deadline: deadline, promise: promise))
            .whenFailure { [address, failure] error in
                promise.fail(failure.error ?? error as? RedisError ?? RedisError(kind: .connection, message: "connection to \(address) is closed"))
            }
    }
}
