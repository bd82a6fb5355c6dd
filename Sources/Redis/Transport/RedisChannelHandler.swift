import DequeModule
import NIOCore
import Synchronization
import Resilience

/// Commands for one connection, written at once; their replies fulfil `promise`, in order.
struct RedisRequest: Sendable {
    let encoded: ByteBuffer
    let replyCount: Int
    let deadline: Deadline
    let promise: EventLoopPromise<[RedisValue]>
}

/// The protocol side of one Redis connection: requests go out as they come (pipelined), replies
/// are parsed by hiredis and answer the requests in the order they were written. Anything that
/// leaves a reply unaccounted for (the connection lost, a garbled reply, a request past its
/// deadline) fails every request still waiting and closes the connection, so no later request
/// can ever receive an earlier one's reply.
final class RedisChannelHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = RedisRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        let number: UInt64
        let request: RedisRequest
        var replies: [RedisValue] = []
        let timer: Scheduled<Void>
    }

    /// Why the connection failed, for any thread to see at once. A TLS channel stays active while
    /// it waits for the server's close_notify, and must not be handed out meanwhile; and a request
    /// written after the channel closed never reaches this handler, yet should fail for the reason
    /// the connection died (a certificate refused, say), not merely "closed".
    final class Failure: Sendable {
        private let reason = Mutex<RedisError?>(nil)

        var error: RedisError? { reason.withLock { $0 } }

        fileprivate func record(_ error: RedisError) {
            reason.withLock { $0 = error }
        }
    }

    /// The event loop's own copy is `failure`, read without a lock on every write.
    private let failureSeen: Failure
    private let reader: RedisReplyReader
    /// Says what went wrong with the transport, in terms of this connection (its address, TLS).
    private let describe: @Sendable (any Error) -> RedisError
    private var waiting = Deque<Waiting>()
    private var written: UInt64 = 0
    /// Set once the connection is no use any more; every later request fails with it.
    private var failure: RedisError?

    init(reader: RedisReplyReader, failureSeen: Failure, describe: @escaping @Sendable (any Error) -> RedisError) {
        self.reader = reader
        self.failureSeen = failureSeen
        self.describe = describe
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let failure {
            request.promise.fail(failure)
            promise?.fail(failure)
            return
        }
        written += 1
        let number = written
        let timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: NIODeadline(request.deadline)) { [self] in
            guard let first = waiting.first, first.number <= number else { return }
            let late = Int((request.deadline.instant - .now).seconds * -1000)
            fail(context: context, RedisError(
                kind: .connection,
                message: "no reply within the deadline (\(late) ms late); the connection is closed, the command may or may not have run"))
        }
        waiting.append(Waiting(number: number, request: request, timer: timer))
        context.write(wrapOutboundOut(request.encoded), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        do throws(RedisError) {
            try reader.feed(unwrapInboundIn(data))
            while let reply = try reader.next() {
                guard !waiting.isEmpty else {
                    throw RedisError(kind: .connection, message: "a reply nobody asked for: \(reply)")
                }
                waiting[0].replies.append(reply)
                if waiting[0].replies.count == waiting[0].request.replyCount {
                    let done = waiting.removeFirst()
                    done.timer.cancel()
                    done.request.promise.succeed(done.replies)
                }
            }
        } catch {
            fail(context: context, error)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, describe(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(context: context, RedisError(kind: .connection, message: "the connection was closed"))
        context.fireChannelInactive()
    }

    /// The first failure is the one reported; the close that follows it only confirms it. The
    /// channel closes before any caller hears of the failure, so none can find it still open.
    private func fail(context: ChannelHandlerContext, _ error: RedisError) {
        let failure = self.failure ?? error
        self.failure = failure
        failureSeen.record(failure)
        context.close(promise: nil)
        while let lost = waiting.popFirst() {
            lost.timer.cancel()
            lost.request.promise.fail(failure)
        }
    }
}

extension NIODeadline {
    init(_ deadline: Deadline) {
        let remaining = deadline.remaining
        self = .now() + .nanoseconds(remaining <= .zero ? 0 : Int64(remaining.seconds * 1e9))
    }
}
