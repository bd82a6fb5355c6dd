import CHiredis
import NIOCore

/// hiredis' reply parser for one connection: fed the bytes as they arrive, it hands back each
/// complete reply in order. It owns its `redisReader` and frees it in `deinit`; only the
/// connection's event loop uses it.
final class RedisReplyReader {
    private let reader: UnsafeMutablePointer<redisReader>

    init() throws(RedisError) {
        let builders = cp_reply_builders(
            string: { task, text, length in ReplyNode.place(ReplyNode.text(type: task!.pointee.type, text, length), for: task!) },
            array: { task, count in ReplyNode.placeArray(count: Int(count), for: task!) },
            integer: { task, value in ReplyNode.place(.integer(Int64(value)), for: task!) },
            nil: { task in ReplyNode.place(.null, for: task!) },
            release: { object in Unmanaged<ReplyNode>.fromOpaque(object!).release() })
        guard let reader = cp_reader_create(builders) else {
            throw RedisError(kind: .connection, message: "cannot allocate a hiredis reply reader")
        }
        self.reader = reader
    }

    deinit { cp_reader_free(reader) }

    func feed(_ buffer: ByteBuffer) throws(RedisError) {
        let status = buffer.withUnsafeReadableBytes { bytes in
            bytes.isEmpty ? REDIS_OK : redisReaderFeed(reader, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
        }
        guard status == REDIS_OK else { throw protocolError() }
    }

    /// The next complete reply, or nil until more bytes arrive. A throw means the stream is garbled.
    func next() throws(RedisError) -> RedisValue? {
        var reply: UnsafeMutableRawPointer?
        guard redisReaderGetReply(reader, &reply) == REDIS_OK else { throw protocolError() }
        guard let reply else { return nil }
        return Unmanaged<ReplyNode>.fromOpaque(reply).takeRetainedValue().value
    }

    private func protocolError() -> RedisError {
        let text = withUnsafeBytes(of: reader.pointee.errstr) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return RedisError(kind: .connection, message: "unreadable reply from the server: \(text)")
    }
}

/// A reply while hiredis parses it. A top-level reply, and every array, is a node; any other
/// element goes straight into its array's slot. hiredis passes each element its parent's node
/// (`task.parent.obj`) and position, and hands back only the top-level node, retained.
private final class ReplyNode {
    private var scalar: RedisValue
    private var elements: [RedisValue]?
    /// Arrays inside this one, filled in as their own elements arrive.
    private var nested: [(index: Int, node: ReplyNode)] = []

    private init(scalar: RedisValue, elements: [RedisValue]?) {
        self.scalar = scalar
        self.elements = elements
    }

    var value: RedisValue {
        guard var elements else { return scalar }
        for (index, node) in nested { elements[index] = node.value }
        return .array(elements)
    }

    static func text(type: Int32, _ text: UnsafeMutablePointer<CChar>?, _ length: Int) -> RedisValue {
        let bytes = text.map { Array(UnsafeRawBufferPointer(start: $0, count: length)) } ?? []
        return switch type {
        case REDIS_REPLY_STATUS: .status(String(decoding: bytes, as: UTF8.self))
        case REDIS_REPLY_ERROR: .error(String(decoding: bytes, as: UTF8.self))
        default: .bulk(bytes)
        }
    }

    /// Stores a non-array value in its parent; returns what hiredis keeps for it (never NULL).
    static func place(_ value: RedisValue, for task: UnsafePointer<redisReadTask>) -> UnsafeMutableRawPointer {
        guard let parent = task.pointee.parent?.pointee.obj else {
            return Unmanaged.passRetained(ReplyNode(scalar: value, elements: nil)).toOpaque()
        }
        Unmanaged<ReplyNode>.fromOpaque(parent).takeUnretainedValue().elements![Int(task.pointee.idx)] = value
        return parent
    }

    /// A new array node: owned by its parent node, or, at the top, by hiredis until it hands it out.
    static func placeArray(count: Int, for task: UnsafePointer<redisReadTask>) -> UnsafeMutableRawPointer {
        let node = ReplyNode(scalar: .null, elements: Array(repeating: .null, count: count))
        guard let parent = task.pointee.parent?.pointee.obj else { return Unmanaged.passRetained(node).toOpaque() }
        Unmanaged<ReplyNode>.fromOpaque(parent).takeUnretainedValue().nested.append((Int(task.pointee.idx), node))
        return Unmanaged.passUnretained(node).toOpaque()
    }
}
