import Hummingbird
import Logging
import Metrics
import NIOCore
import Observability
import Synchronization

/// The count of open connections of one server, shared by all of its event loops.
final class OpenConnections: Sendable {
    let limit: Int
    private let open = Atomic<Int>(0)
    /// Refusals since the server last had room, for one warning when it fills and one line when it drains.
    private let refusedWhileFull = Atomic<Int>(0)
    /// `count_pipeline_public_connections`: how close the server is to MAX_CONNECTIONS.
    private let gauge = Gauge(label: MetricName.publicConnections)

    init(limit: Int) {
        self.limit = limit
    }

    var current: Int { open.load(ordering: .relaxed) }

    /// Counts a new connection; false when it is one too many (it is still counted until closed).
    func opened() -> Bool {
        let now = open.add(1, ordering: .relaxed).newValue
        gauge.record(now)
        return now <= limit
    }

    func closed(logger: Logger) {
        let now = open.subtract(1, ordering: .relaxed).newValue
        gauge.record(now)
        if now < limit {
            let refused = refusedWhileFull.exchange(0, ordering: .relaxed)
            if refused > 0 {
                logger.notice("accepting connections again", metadata: ["refused_while_full": "\(refused)", "limit": "\(limit)"])
            }
        }
    }

    /// Counts a refusal; true for the first one since the server had room.
    func refused() -> Bool {
        refusedWhileFull.add(1, ordering: .relaxed).newValue == 1
    }
}

/// First in every connection's pipeline: beyond MAX_CONNECTIONS a new connection is answered
/// 503 with Retry-After and closed at once, so it neither waits in the kernel's backlog (what
/// Hummingbird's own MaximumAvailableConnections does: it stops accepting, and clients hang
/// until the backlog overflows) nor takes memory from the connections already served.
final class ConnectionCapHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let connections: OpenConnections
    private let logger: Logger
    private var refused = false

    init(connections: OpenConnections, logger: Logger) {
        self.connections = connections
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        refused = !connections.opened()
        // Uncounted when the channel closes, however it ends (as Hummingbird's own handler does).
        context.channel.closeFuture.whenComplete { [connections, logger] _ in connections.closed(logger: logger) }
        if refused, context.channel.isActive { refuse(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if refused { refuse(context) } else { context.fireChannelActive() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        context.fireChannelRead(data)
    }

    private func refuse(_ context: ChannelHandlerContext) {
        RejectionReason.tooManyConnections.count()
        let requestID = RequestID().description
        if connections.refused() {
            logger.warning("connection limit reached: refusing new connections with 503 until some close", metadata: [
                "limit": "\(connections.limit)", "hb.request.id": "\(requestID)",
            ])
        }
        logger.debug("connection refused", metadata: [
            "hb.request.id": "\(requestID)", "peer": "\(context.channel.remoteAddress?.description ?? "unknown")",
        ])
        let answer = CannedResponse.bytes(
            of: .unavailable(
                "too_many_connections", "the server has as many connections open as it serves at once; retry in a moment",
                detail: "MAX_CONNECTIONS (\(connections.limit)) reached"),
            requestID: requestID)
        context.writeAndFlush(wrapInboundOut(answer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
