import Hummingbird
import Logging
import NIOCore

/// Before the HTTP decoder: a request must arrive whole within REQUEST_READ_TIMEOUT_MS of its
/// first byte. A client that drips its head or body (or stops halfway) then gets a JSON 408 and
/// the connection is closed; a connection idle between requests is left to the idle timeout.
/// Only bytes are visible here, so `RequestProgressHandler`, after the decoder, says when a
/// request is complete and when an answer is being written. Most requests arrive in one read and
/// are complete before it returns: the timer is scheduled only for those that are not.
final class RequestReadDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private let logger: Logger
    /// When the first byte of the request now arriving came; nil between requests.
    private var requestStarted: NIODeadline?
    private var timer: Scheduled<Void>?
    private var bytesOfThisRequest = 0
    /// An answer's head is written and its end is not: a 408 now would cut into it.
    private var answerInProgress = false
    /// The request was answered before it finished arriving (a 413 on its Content-Length, say): a
    /// 408 after that answer would be a second one, so the connection is only closed.
    private var answeredEarly = false

    init(timeout: Duration, logger: Logger) {
        self.timeout = TimeAmount(timeout)
        self.logger = logger
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if requestStarted == nil {
            requestStarted = context.eventLoop.now
            answeredEarly = false
        }
        bytesOfThisRequest += unwrapInboundIn(data).readableBytes
        context.fireChannelRead(data)
        // The decoder has seen these bytes; if they did not end the request, the clock runs.
        if let requestStarted, timer == nil { startClock(context, deadline: requestStarted + timeout) }
    }

    /// The decoder produced the request's end: the client has done its part.
    func requestArrived() {
        timer?.cancel()
        timer = nil
        requestStarted = nil
        bytesOfThisRequest = 0
    }

    func answerStarted() {
        answerInProgress = true
    }

    func answerFinished() {
        answerInProgress = false
        if requestStarted != nil { answeredEarly = true }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        requestArrived()
    }

    private func startClock(_ context: ChannelHandlerContext, deadline: NIODeadline) {
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            expire(context)
        }
    }

    private func expire(_ context: ChannelHandlerContext) {
        RejectionReason.requestTimeout.count()
        let requestID = RequestID().description
        logger.warning("request did not arrive whole in time; answering 408 and closing", metadata: [
            "hb.request.id": "\(requestID)", "peer": "\(context.channel.remoteAddress?.description ?? "unknown")",
            "bytes_received": "\(bytesOfThisRequest)", "timeout_ms": "\(timeout.nanoseconds / 1_000_000)",
        ])
        guard !answerInProgress, !answeredEarly else {
            context.close(promise: nil)
            return
        }
        let refusal = APIError(
            status: .requestTimeout, code: "request_timeout",
            message: "the request did not arrive whole within \(timeout.nanoseconds / 1_000_000) ms; send it at once")
        let answer = CannedResponse.bytes(of: refusal, requestID: requestID)
        context.writeAndFlush(wrapInboundOut(answer)).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
