import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import Producer

/// The public port's channel handlers on an embedded channel, with the clock moved by hand.
@Suite struct ServerLimitsHandlerTests {
    private let logger = Logger(label: "test")

    private func channel(timeout: Duration = .seconds(10)) throws -> (EmbeddedChannel, RequestReadDeadlineHandler) {
        let deadline = RequestReadDeadlineHandler(timeout: timeout, logger: logger)
        let channel = EmbeddedChannel(handler: deadline)
        try channel.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, deadline)
    }

    private func answer(_ channel: EmbeddedChannel) throws -> String? {
        try channel.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) }
    }

    @Test func aRequestThatStopsArrivingGetsA408AndTheConnectionCloses() throws {
        let (channel, _) = try channel()
        try channel.writeInbound(ByteBuffer(string: "POST /count HTTP/1.1\r\nContent-Length: 64\r\n\r\n{\"cou"))
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(try answer(channel) == nil, "not before the timeout")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        let text = try #require(try answer(channel))
        #expect(text.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(text.contains("X-Request-Id: ") && text.contains("Connection: close"))
        #expect(text.hasSuffix(#"{"error":"request_timeout","message":"the request did not arrive whole within 10000 ms; send it at once"}"#))
        #expect(!channel.isActive)
    }

    @Test func aRequestThatArrivedWholeStartsNoClock() throws {
        let (channel, deadline) = try channel()
        try channel.writeInbound(ByteBuffer(string: "GET /health HTTP/1.1\r\n\r\n"))
        deadline.requestArrived()
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(try answer(channel) == nil)
        #expect(channel.isActive, "idle between requests is the idle timeout's business")
    }

    @Test func theClockCountsFromTheFirstByteNotTheLast() throws {
        let (channel, _) = try channel()
        for byte in "GET /health HTTP/1.1\r\nX".utf8 {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(400))
        }
        // 23 bytes at 0.4 s each: past 9 s; a clock restarted by every byte would never fire.
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(try answer(channel)?.hasPrefix("HTTP/1.1 408") == true)
    }

    @Test func aRequestAnsweredBeforeItArrivedIsClosedNotAnsweredAgain() throws {
        let (channel, deadline) = try channel()
        try channel.writeInbound(ByteBuffer(string: "POST /count HTTP/1.1\r\nContent-Length: 8388608\r\n\r\n"))
        deadline.answerStarted()
        deadline.answerFinished()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(try answer(channel) == nil)
        #expect(!channel.isActive)
    }

    @Test func decoderRefusalsBecomeOurJSON() {
        #expect(RequestProgressHandler.answer(for: .headerOverflow, maxHeaderBytes: 16_384).status.code == 431)
        #expect(RequestProgressHandler.answer(for: .unexpectedContentLength, maxHeaderBytes: 16_384).code == "ambiguous_length")
        #expect(RequestProgressHandler.answer(for: .invalidHeaderToken, maxHeaderBytes: 16_384).code == "malformed_request")
        let hummingbirds = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
        let ours = HTTPResponse(status: .badRequest, headerFields: [.contentType: "application/json", .contentLength: "80"])
        #expect(RequestProgressHandler.isHummingbirdsParseErrorAnswer(hummingbirds))
        #expect(!RequestProgressHandler.isHummingbirdsParseErrorAnswer(ours))
    }

    @Test func connectionsBeyondTheCapAreAnswered503AndClosed() throws {
        let connections = OpenConnections(limit: 1)
        let first = EmbeddedChannel(handler: ConnectionCapHandler(connections: connections, logger: logger))
        try first.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        let second = EmbeddedChannel(handler: ConnectionCapHandler(connections: connections, logger: logger))
        try second.connect(to: .init(ipAddress: "127.0.0.1", port: 1)).wait()
        let refusal = try #require(try second.readOutbound(as: ByteBuffer.self).map { String(buffer: $0) })
        #expect(refusal.hasPrefix("HTTP/1.1 503 Service Unavailable\r\n") && refusal.contains("Retry-After: 1"))
        #expect(refusal.contains(#""error":"too_many_connections""#))
        #expect(!second.isActive && first.isActive)
        // The embedded loop runs what a real one would schedule: the close's completion among it.
        second.embeddedEventLoop.run()
        #expect(try first.readOutbound(as: ByteBuffer.self) == nil)
        #expect(connections.current == 1, "the refused one is uncounted once closed")
        _ = try first.finish()
        first.embeddedEventLoop.run()
        #expect(connections.current == 0)
    }
}
