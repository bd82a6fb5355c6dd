import Logging
import Settings

public enum LogFormat: String, CaseIterable, Sendable {
    case text
    case json
}

/// `LOG_LEVEL` and `LOG_FORMAT`.
public struct LogSettings: Sendable, Equatable {
    public var level: Logger.Level
    public var format: LogFormat

    public init(level: Logger.Level = .info, format: LogFormat = .text) {
        self.level = level
        self.format = format
    }

    public init(from env: EnvironmentReader) throws(ConfigurationError) {
        self.init(level: try env.choice("LOG_LEVEL", default: .info), format: try env.choice("LOG_FORMAT", default: .text))
    }
}
