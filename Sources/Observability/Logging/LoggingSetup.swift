import Logging

#if canImport(Glibc)
import Glibc
import Message
#endif

extension LogSettings {
    /// Installs the process-wide log handler; call once at start, before the first logger is made.
    public func bootstrap() {
        let level = self.level
        switch format {
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        case .json:
            LoggingSystem.bootstrap { label in JSONLogHandler(label: label, logLevel: level) }
        }
    }
}

/// One JSON object per line on stderr (timestamp, level, label, message, metadata): what log
/// collectors such as CloudWatch Logs parse without configuration.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String

    public init(label: String, logLevel: Logger.Level) {
        self.label = label
        self.logLevel = logLevel
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var members: [(String, String)] = [
            ("ts", String(UnixTime.milliseconds())), ("level", JSONText.quoted(event.level.rawValue)),
            ("logger", JSONText.quoted(label)), ("msg", JSONText.quoted(event.message.description)),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) {
            members.append((key, JSONText.quoted(value.description)))
        }
        let text = "{" + members.map { JSONText.quoted($0.0) + ":" + $0.1 }.joined(separator: ",") + "}\n"
        // One write(2) per line keeps lines whole when several threads log at once.
        _ = text.withCString { write(STDERR_FILENO, $0, strlen($0)) }
    }
}
