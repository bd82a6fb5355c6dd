import CHiredis

#if canImport(Glibc)
import Glibc
#endif

/// One hiredis connection. It owns its `redisContext` and frees it in `close()` (or `deinit`).
/// Only one thread uses it at a time, which `BlockingConnectionPool` guarantees; hence `@unchecked Sendable`.
public final class RedisConnection: BlockingConnection, @unchecked Sendable {
    private var context: UnsafeMutablePointer<redisContext>?
    public private(set) var isUsable = true

    private init(context: UnsafeMutablePointer<redisContext>) {
        self.context = context
    }

    deinit { close() }

    /// The hiredis this program was built against (0.14 has no TLS; 1.x has it in libhiredis_ssl).
    public static let hiredisVersion = "\(HIREDIS_MAJOR).\(HIREDIS_MINOR).\(HIREDIS_PATCH)"

    public func close() {
        if let context { redisFree(context) }
        context = nil
        isUsable = false
    }

    /// Connects (bounded by `timeout`), runs the TLS handshake when `tls` is given, and
    /// authenticates when credentials are given.
    public static func connect(
        host: String, port: Int, username: String?, password: String?, tls: RedisTLSContext? = nil, timeout: Duration
    ) throws(RedisError) -> RedisConnection {
        guard let context = redisConnectWithTimeout(host, Int32(port), timeval(timeout)) else {
            throw RedisError(kind: .connection, message: "cannot allocate a hiredis context")
        }
        if context.pointee.err != 0 {
            let message = Self.errorText(context)
            redisFree(context)
            throw RedisError(kind: .connection, message: "connect to \(host):\(port) failed: \(message)")
        }
        // The handshake is bounded by the same timeout as every later read and write.
        let serverName = tls?.settings.serverName ?? host
        if let tls, redisSetTimeout(context, timeval(timeout)) != REDIS_OK || !tls.secure(context, serverName: serverName) {
            let message = Self.errorText(context)
            redisFree(context)
            throw RedisError(
                kind: .tls,
                message: "TLS with \(host):\(port) failed: \(message.isEmpty ? "handshake refused" : message)"
                    + " (the server's certificate must chain to REDIS_TLS_CA_FILE and name \(serverName))")
        }
        _ = redisEnableKeepAlive(context)
        let connection = RedisConnection(context: context)
        if let password {
            let auth = username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            do {
                try connection.run(auth, timeout: timeout)
            } catch {
                connection.close()
                guard error.kind == .command || error.kind == .authentication else { throw error }
                throw RedisError(
                    kind: .authentication,
                    message: "\(error.message) (as user \(username ?? "default"); check REDIS_USERNAME and REDIS_PASSWORD)")
            }
        }
        return connection
    }

    /// Sends all commands in one write and reads their replies in order (one round trip).
    /// Error replies come back as `.error` values; I/O failures throw and retire the connection.
    public func pipeline(_ commands: [[String]], timeout: Duration) throws(RedisError) -> [RedisValue] {
        try pipeline(bytes: commands.map { $0.map { Array($0.utf8) } }, timeout: timeout)
    }

    /// `pipeline` with every argument as raw bytes (binary-safe: entries need not be UTF-8).
    public func pipeline(bytes commands: [[[UInt8]]], timeout: Duration) throws(RedisError) -> [RedisValue] {
        guard let context, isUsable else { throw RedisError(kind: .connection, message: "connection is closed") }
        guard redisSetTimeout(context, timeval(timeout)) == REDIS_OK else { throw fail(context) }
        for command in commands {
            guard Self.append(command, to: context) == REDIS_OK else { throw fail(context) }
        }
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        for _ in commands {
            var reply: UnsafeMutableRawPointer?
            guard redisGetReply(context, &reply) == REDIS_OK, let reply else { throw fail(context) }
            replies.append(Self.value(of: reply.assumingMemoryBound(to: redisReply.self)))
            freeReplyObject(reply)
        }
        return replies
    }

    /// One command; an error reply is thrown.
    @discardableResult
    public func run(_ command: [String], timeout: Duration) throws(RedisError) -> RedisValue {
        try pipeline([command], timeout: timeout)[0].check()
    }

    private func fail(_ context: UnsafeMutablePointer<redisContext>) -> RedisError {
        let message = Self.errorText(context)
        close()
        return RedisError(kind: .connection, message: message.isEmpty ? "I/O error" : message)
    }

    /// Appends one command with `redisAppendCommandArgv`: binary-safe, no format string.
    private static func append(_ command: [[UInt8]], to context: UnsafeMutablePointer<redisContext>) -> Int32 {
        var storage: [UInt8] = []
        var lengths: [Int] = []
        lengths.reserveCapacity(command.count)
        for argument in command {
            storage.append(contentsOf: argument)
            lengths.append(argument.count)
        }
        storage.append(0)  // never empty, so the buffer always has a base address
        return storage.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var offset = 0
            var pointers: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return base + offset
            }
            return redisAppendCommandArgv(context, Int32(command.count), &pointers, lengths)
        }
    }

    private static func value(of reply: UnsafeMutablePointer<redisReply>) -> RedisValue {
        let r = reply.pointee
        switch r.type {
        case REDIS_REPLY_STRING:
            return .bulk(bytes(r.str, r.len))
        case REDIS_REPLY_STATUS:
            return .status(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_ERROR:
            return .error(String(decoding: bytes(r.str, r.len), as: UTF8.self))
        case REDIS_REPLY_INTEGER:
            return .integer(Int64(r.integer))
        case REDIS_REPLY_ARRAY:
            return .array((0..<Int(r.elements)).map { value(of: r.element[$0]!) })
        default:
            return .null
        }
    }

    private static func bytes(_ pointer: UnsafeMutablePointer<CChar>?, _ length: Int) -> [UInt8] {
        guard let pointer, length > 0 else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    private static func errorText(_ context: UnsafeMutablePointer<redisContext>) -> String {
        withUnsafeBytes(of: context.pointee.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

extension timeval {
    /// A C `timeval` for a Swift duration, at least one millisecond so it never means "no timeout".
    init(_ duration: Duration) {
        let microseconds = max(Int64(duration.seconds * 1_000_000), 1000)
        self.init(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
    }
}
