import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 channel with the public port's limits in front of it: the connection cap
/// and the read deadline see the raw bytes (before the decoder, which is where a slow head
/// drips), the decoder refuses oversized headers, and `RequestProgressHandler` sits between the
/// decoder and the application.
struct BoundedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let limits: ServerLimits
    let connections: OpenConnections
    let logger: Logger

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandlers(
                ConnectionCapHandler(connections: connections, logger: self.logger),
                RequestReadDeadlineHandler(timeout: limits.requestReadTimeout, logger: self.logger))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return http1.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// The public port's server: HTTP/1 within `limits`.
    static func boundedHTTP1(limits: ServerLimits, logger: Logger) -> HTTPServerBuilder {
        let connections = OpenConnections(limit: limits.maxConnections)
        let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
            maxHeaderFieldSize: limits.maxHeaderBytes, maxHeaderListSize: limits.maxHeaderBytes)
        let configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [RequestProgressHandler(maxHeaderBytes: limits.maxHeaderBytes, logger: logger)],
            idleTimeout: TimeAmount(limits.idleTimeout), httpDecoderConfiguration: decoder)
        return HTTPServerBuilder { responder in
            BoundedHTTP1Channel(
                http1: HTTP1Channel(responder: responder, configuration: configuration), limits: limits,
                connections: connections, logger: logger)
        }
    }
}
