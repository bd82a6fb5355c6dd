import NIOCore
import NIOEmbedded
import Resilience
import Testing

@testable import Redis

/// The protocol side of one Redis connection on NIO's `EmbeddedChannel`: the test plays the server
/// (reads what the handler wrote, writes replies in), and moves the event loop's clock by hand.
@Suite struct RedisChannelHandlerTests {
    /// A `RedisConnection` over a fresh embedded channel with the real handler and hiredis reader.
    private struct Connection {
        let channel = EmbeddedChannel()
        let failure = RedisChannelHandler.Failure()
        let redis: RedisConnection
        var loop: EmbeddedEventLoop { channel.embeddedEventLoop }

        init() throws {
            try channel.pipeline.syncOperations.addHandler(RedisChannelHandler(
                reader: RedisReplyReader(), failureSeen: failure, describe: { RedisError(kind: .connection, message: "transport: \($0)") }))
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 6379)).wait()
            redis = RedisConnection(address: RedisNodeAddress(host: "embedded", port: 6379), channel: channel, failure: failure)
        }

        /// Sends `commands` as one request; its replies, when they come, are the future's.
        func send(_ commands: [[String]], deadline: Deadline = .after(.seconds(30))) throws -> EventLoopFuture<[RedisValue]> {
            redis.send(commands.map { $0.map { Array($0.utf8) } }, deadline: deadline)
        }

        /// What the handler wrote to the server since the last look, as text.
        func written() throws -> String {
            var text = ""
            while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
            return text
        }

        func reply(_ resp: String) throws {
            try channel.writeInbound(ByteBuffer(string: resp))
        }
    }

    /// The result a future holds by now (the embedded loop runs everything at once), or nil if none yet.
    private static func settled(_ future: EventLoopFuture<[RedisValue]>) -> Result<[RedisValue], any Error>? {
        var result: Result<[RedisValue], any Error>?
        future.whenComplete { result = $0 }
        return result
    }

    @Test func pipelinedRequestsGetTheirOwnRepliesInTheOrderTheyWereWritten() throws {
        let connection = try Connection()
        let first = try connection.send([["GET", "a"], ["INCR", "n"]])
        let second = try connection.send([["PING"]])
        #expect(try connection.written() == "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n*1\r\n$4\r\nPING\r\n")
        // The first request's replies arrive split mid-reply: nothing is answered until it is whole.
        try connection.reply("$5\r\nhel")
        #expect(Self.settled(first) == nil)
        try connection.reply("lo\r\n:7\r\n+PO")
        #expect(try Self.settled(first)?.get() == [.bulk(Array("hello".utf8)), .integer(7)])
        #expect(Self.settled(second) == nil, "its reply is not whole yet")
        try connection.reply("NG\r\n")
        #expect(try Self.settled(second)?.get() == [.status("PONG")])
        #expect(connection.redis.isUsable, "a lane keeps a connection that answered everything")
    }

    @Test func anErrorReplyAnswersItsCommandAndTheConnectionStaysUp() throws {
        let connection = try Connection()
        let request = try connection.send([["EVALSHA", "abc", "0"], ["PING"]])
        try connection.reply("-NOSCRIPT No matching script.\r\n+PONG\r\n")
        #expect(try Self.settled(request)?.get() == [.error("NOSCRIPT No matching script."), .status("PONG")])
        #expect(connection.channel.isActive && connection.failure.error == nil)
    }

    @Test func aReplyPastItsDeadlineFailsEveryWaitingRequestAndClosesTheConnection() throws {
        let connection = try Connection()
        let late = try connection.send([["GET", "a"]], deadline: .after(.milliseconds(100)))
        let behind = try connection.send([["GET", "b"]])
        connection.loop.advanceTime(to: .now() + .seconds(1))
        for future in [late, behind] {
            #expect(throws: RedisError.self) { try Self.settled(future)?.get() }
        }
        #expect(connection.failure.error?.message.contains("no reply within the deadline") == true)
        #expect(!connection.redis.isUsable, "its lane connects afresh on next use")
        // The late reply, had it come, must never answer a later request: the connection is gone.
        let after = try connection.send([["PING"]])
        #expect(throws: RedisError.self) { try Self.settled(after)?.get() }
    }

    @Test func aDeadlineOfALaterRequestDoesNotFailOneAnsweredInTime() throws {
        let connection = try Connection()
        let first = try connection.send([["GET", "a"]], deadline: .after(.milliseconds(100)))
        try connection.reply("$-1\r\n")
        #expect(try Self.settled(first)?.get() == [.null])
        connection.loop.advanceTime(to: .now() + .seconds(1))
        #expect(connection.channel.isActive, "the answered request's timer was cancelled")
    }

    @Test func aPartialReplyThenCloseFailsTheRequestWithTheCloseAsReason() throws {
        let connection = try Connection()
        let request = try connection.send([["GET", "a"]])
        try connection.reply("$10\r\nonly")
        try connection.channel.close().wait()  // the server hung up mid-reply
        let error = try #require(Self.error(of: request))
        #expect(error.kind == .connection && error.message == "the connection was closed")
        #expect(connection.failure.error == error, "recorded for the next caller to see")
    }

    @Test func aReplyNobodyAskedForClosesTheConnection() throws {
        let connection = try Connection()
        try connection.reply("+OK\r\n")
        #expect(connection.failure.error?.message.contains("a reply nobody asked for") == true)
        #expect(!connection.channel.isActive)
    }

    @Test func aGarbledReplyFailsTheRequestAndClosesTheConnection() throws {
        let connection = try Connection()
        let request = try connection.send([["PING"]])
        try connection.reply("?what\r\n")
        #expect(Self.error(of: request)?.kind == .connection)
        #expect(!connection.channel.isActive)
    }

    @Test func aRequestAfterTheFailureFailsWithTheFirstReasonNotJustClosed() throws {
        let connection = try Connection()
        connection.channel.pipeline.fireErrorCaught(IOError(errnoCode: 104, reason: "read"))
        let error = try #require(connection.failure.error)
        #expect(error.message.hasPrefix("transport: "))
        let request = try connection.send([["PING"]])
        #expect(Self.error(of: request) == error)
    }

    private static func error(of future: EventLoopFuture<[RedisValue]>) -> RedisError? {
        guard case .failure(let error)? = settled(future) else { return nil }
        return error as? RedisError
    }
}
