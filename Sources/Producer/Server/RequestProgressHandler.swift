import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// After the HTTP decoder: tells `RequestReadDeadlineHandler` when a request has arrived whole and
/// when an answer is being written, and turns the empty 400 that Hummingbird writes for a request
/// the decoder refused (headers too large, conflicting lengths, garbage) into our JSON error: a
/// 431 for oversized headers, a 400 otherwise. Hummingbird writes that answer after the ones
/// still due on the connection, so pipelined answers keep their order.
final class RequestProgressHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let maxHeaderBytes: Int
    private let logger: Logger
    private var deadline: RequestReadDeadlineHandler?
    private var parserError: HTTPParserError?

    init(maxHeaderBytes: Int, logger: Logger) {
        self.maxHeaderBytes = maxHeaderBytes
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        deadline = try? context.pipeline.syncOperations.handler(type: RequestReadDeadlineHandler.self)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) { deadline?.requestArrived() }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? HTTPParserError { parserError = error }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head):
            deadline?.answerStarted()
            if let parserError, Self.isHummingbirdsParseErrorAnswer(head) {
                self.parserError = nil
                writeJSON(for: parserError, context: context, promise: promise)
                return
            }
        case .end:
            deadline?.answerFinished()
        case .body:
            break
        }
        context.write(data, promise: promise)
    }

    /// Hummingbird's answer to a decoder error: 400, `Connection: close`, no body. Our own 400s
    /// always carry a JSON body.
    static func isHummingbirdsParseErrorAnswer(_ head: HTTPResponse) -> Bool {
        head.status == .badRequest && head.headerFields[.contentLength] == "0" && head.headerFields[.contentType] == nil
    }

    private func writeJSON(for error: HTTPParserError, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?) {
        let requestID = RequestID().description
        let refusal = Self.answer(for: error, maxHeaderBytes: maxHeaderBytes)
        (error == .headerOverflow ? RejectionReason.headersTooLarge : .malformedRequest).count()
        logger.info("request refused by the HTTP decoder", metadata: [
            "hb.request.id": "\(requestID)", "status": "\(refusal.status.code)", "error": "\(error)",
            "peer": "\(context.channel.remoteAddress?.description ?? "unknown")",
        ])
        let body = ByteBuffer(string: refusal.body)
        let head = HTTPResponse(status: refusal.status, headerFields: [
            .contentType: "application/json", .contentLength: String(body.readableBytes), .connection: "close",
            .requestID: requestID,
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: promise)
    }

    static func answer(for error: HTTPParserError, maxHeaderBytes: Int) -> APIError {
        switch error {
        case .headerOverflow:
            APIError(
                status: .init(code: 431, reasonPhrase: "Request Header Fields Too Large"), code: "headers_too_large",
                message: "the request line and headers are larger than the \(maxHeaderBytes) bytes this server accepts")
        case .unexpectedContentLength:
            .badRequest(
                "ambiguous_length", "the request has Content-Length twice, or together with Transfer-Encoding; send exactly one of them once")
        default:
            .badRequest(
                "malformed_request",
                "the request is not valid HTTP/1.1 (a folded or malformed header, a bad request line or chunk, or a length that contradicts itself); nothing was stored")
        }
    }
}
