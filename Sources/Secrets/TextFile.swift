#if canImport(Glibc)
import Glibc
#endif

/// Small text files (a token file), read whole.
public enum TextFile {
    /// The file's text, or nil when it cannot be read or is over 64 KiB.
    @Sendable public static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
            if bytes.count > 65_536 { return nil }
        }
        return ferror(file) == 0 ? String(decoding: bytes, as: UTF8.self) : nil
    }
}
