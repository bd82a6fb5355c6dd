#if canImport(Glibc)
import Glibc
#endif

/// Reads configuration from the process environment; on a bad setting prints the one line that
/// names the variable and exits 2, before anything else starts.
public func loadConfiguration<Configuration>(
    _ read: (EnvironmentReader) throws(ConfigurationError) -> Configuration
) rethrows -> Configuration {
    do {
        return try read(EnvironmentReader(ProcessEnvironment.current))
    } catch {
        _ = "\(error)\n".withCString { write(STDERR_FILENO, $0, strlen($0)) }
        exit(2)
    }
}

public enum ProcessEnvironment {
    public static var current: [String: String] {
        var values: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                values[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return values
    }
}

public enum Host {
    /// This machine's host name (the container's id on ECS): reported so callers behind a load balancer see who answered.
    public static let name: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }()
}

public enum ProcessID {
    public static var current: Int32 { getpid() }
}

