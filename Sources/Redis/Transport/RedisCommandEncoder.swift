import CHiredis
import NIOCore

/// Writes commands in Redis' wire format with hiredis' `redisFormatCommandArgv`: binary-safe
/// arguments with their lengths, no format string.
enum RedisCommandEncoder {
    static func encode(_ commands: [[[UInt8]]], into buffer: inout ByteBuffer) throws(RedisError) {
        for command in commands {
            try encode(command, into: &buffer)
        }
    }

    private static func encode(_ command: [[UInt8]], into buffer: inout ByteBuffer) throws(RedisError) {
        // One contiguous copy of the arguments, so every argv pointer stays valid for the call.
        var storage: [UInt8] = []
        storage.reserveCapacity(command.reduce(1) { $0 + $1.count })
        var lengths: [Int] = []
        lengths.reserveCapacity(command.count)
        for argument in command {
            storage.append(contentsOf: argument)
            lengths.append(argument.count)
        }
        storage.append(0)  // never empty, so the buffer always has a base address
        var formatted: UnsafeMutablePointer<CChar>?
        let length = storage.withUnsafeBufferPointer { bytes in
            let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
            var offset = 0
            var arguments: [UnsafePointer<CChar>?] = lengths.map { length in
                defer { offset += length }
                return base + offset
            }
            return redisFormatCommandArgv(&formatted, Int32(command.count), &arguments, lengths)
        }
        guard length >= 0, let formatted else { throw RedisError(kind: .command, message: "hiredis could not encode the command") }
        defer { redisFreeCommand(formatted) }
        buffer.writeBytes(UnsafeRawBufferPointer(start: formatted, count: Int(length)))
    }
}
