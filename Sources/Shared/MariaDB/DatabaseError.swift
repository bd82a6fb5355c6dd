import CMariaDB

/// A failure reported by libmariadb or the server: its error code, SQLSTATE and message, and
/// whether the connection is gone and whether trying again can help.
public struct DatabaseError: Error, CustomStringConvertible, Equatable {
    public let code: UInt32
    public let sqlState: String
    public let message: String

    public init(code: UInt32, sqlState: String = "HY000", message: String) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    /// Client codes (2xxx) and server codes that mean the session is over: reconnect.
    private static let connectionLost: Set<UInt32> = [
        UInt32(CR_CONNECTION_ERROR), UInt32(CR_CONN_HOST_ERROR), UInt32(CR_SERVER_GONE_ERROR), UInt32(CR_SERVER_LOST),
        UInt32(CR_UNKNOWN_HOST), 2026 /* SSL connection error */, 2055 /* lost connection at a stage */,
        UInt32(ER_SERVER_SHUTDOWN), 1927 /* ER_CONNECTION_KILLED */, 4031 /* disconnected for inactivity */,
        UInt32(ER_CON_COUNT_ERROR), 1129 /* host blocked */,
    ]

    /// Errors after which the same statement may succeed: lost connections, deadlocks, lock waits,
    /// a server in read-only mode during a failover.
    private static let transientServerErrors: Set<UInt32> = [
        UInt32(ER_LOCK_DEADLOCK), UInt32(ER_LOCK_WAIT_TIMEOUT), 1290 /* read-only */, 1836 /* read-only transaction */,
        UInt32(ER_QUERY_INTERRUPTED),
    ]

    public var isConnectionLost: Bool { Self.connectionLost.contains(code) }
    public var isTransient: Bool { isConnectionLost || Self.transientServerErrors.contains(code) }

    public var description: String { "MariaDB error \(code) (\(sqlState)): \(message)" }

    static func from(_ handle: UnsafeMutablePointer<MYSQL>) -> DatabaseError {
        DatabaseError(
            code: mysql_errno(handle), sqlState: String(cString: mysql_sqlstate(handle)),
            message: String(cString: mysql_error(handle)))
    }

    static func from(_ statement: UnsafeMutablePointer<MYSQL_STMT>) -> DatabaseError {
        DatabaseError(
            code: mysql_stmt_errno(statement), sqlState: String(cString: mysql_stmt_sqlstate(statement)),
            message: String(cString: mysql_stmt_error(statement)))
    }
}
