import CMariaDB

/// Which server a session talks to, for error text and logs: MySQL and MariaDB share the protocol
/// and libmariadb, but not every error code or message.
public enum DatabaseServerKind: String, Sendable {
    case mariaDB = "MariaDB"
    case mySQL = "MySQL"
    /// Not known yet (the session was never established).
    case unknown = "database"

    /// MariaDB announces itself in its version string ("10.11.6-MariaDB-0+deb12u1"); MySQL does not.
    public init(serverVersion: String) {
        self = serverVersion.contains("MariaDB") ? .mariaDB : .mySQL
    }
}

/// A failure reported by libmariadb or the server: its error code, SQLSTATE and message, which
/// server said it, and what the caller should do about it (`disposition`).
public struct DatabaseError: Error, CustomStringConvertible, Equatable {
    public let code: UInt32
    public let sqlState: String
    public let message: String
    public internal(set) var server: DatabaseServerKind

    public init(code: UInt32, sqlState: String = "HY000", message: String, server: DatabaseServerKind = .unknown) {
        self.code = code
        self.sqlState = sqlState
        self.message = message
        self.server = server
    }

    /// What a failed statement means for the data it carried.
    public enum Disposition: Equatable, Sendable {
        /// The same statement may succeed later: the session broke, a lock timed out, the server is
        /// read-only, out of space or refuses this user. Retried as it is; the data stays queued.
        case retry
        /// The server refused the statement's content for good (a value out of range, a constraint or
        /// trigger that says no, a statement too large): retrying the same rows cannot help, but a
        /// smaller set of them may succeed.
        case refusal
    }

    /// Client codes (2xxx) and server codes that mean the session is over: reconnect.
    private static let connectionLost: Set<UInt32> = [
        UInt32(CR_CONNECTION_ERROR), UInt32(CR_CONN_HOST_ERROR), UInt32(CR_SERVER_GONE_ERROR), UInt32(CR_SERVER_LOST),
        UInt32(CR_UNKNOWN_HOST), 2026 /* SSL connection error */, 2055 /* lost connection at a stage */,
        UInt32(ER_SERVER_SHUTDOWN), 1927 /* ER_CONNECTION_KILLED */, 4031 /* MySQL: disconnected for inactivity */,
        UInt32(ER_CON_COUNT_ERROR), 1129 /* host blocked */,
    ]

    /// Server errors about the moment or the environment, not the rows: deadlocks, lock waits,
    /// timeouts, read-only mode during a failover, full disks, exhausted memory or connections,
    /// missing rights, a missing database. Splitting a batch would only dead-letter good values.
    private static let environmentErrors: Set<UInt32> = [
        UInt32(ER_LOCK_DEADLOCK), UInt32(ER_LOCK_WAIT_TIMEOUT), UInt32(ER_QUERY_INTERRUPTED),
        3024 /* MySQL: max_execution_time exceeded */, 1969 /* MariaDB: max_statement_time exceeded */,
        3572 /* MySQL: NOWAIT lock not granted */, UInt32(ER_OPTION_PREVENTS_STATEMENT) /* --read-only */,
        UInt32(ER_READ_ONLY_MODE), UInt32(ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION),
        UInt32(ER_DISK_FULL), UInt32(ER_RECORD_FILE_FULL), UInt32(ER_GET_ERRNO), UInt32(ER_ERROR_DURING_COMMIT),
        UInt32(ER_OUTOFMEMORY), UInt32(ER_OUT_OF_SORTMEMORY), UInt32(ER_OUT_OF_RESOURCES), UInt32(ER_LOCK_TABLE_FULL),
        UInt32(ER_TOO_MANY_USER_CONNECTIONS), UInt32(ER_USER_LIMIT_REACHED), UInt32(ER_TOO_MANY_CONCURRENT_TRXS),
        UInt32(ER_DBACCESS_DENIED_ERROR), UInt32(ER_ACCESS_DENIED_ERROR), UInt32(ER_TABLEACCESS_DENIED_ERROR),
        UInt32(ER_COLUMNACCESS_DENIED_ERROR), UInt32(ER_BAD_DB_ERROR),
        3948 /* MySQL: LOAD DATA LOCAL is off (local_infile) */, 1148 /* MariaDB: the command is not allowed */,
        1146 /* ER_NO_SUCH_TABLE */, 1054 /* ER_BAD_FIELD_ERROR: the schema is being changed */,
    ]

    /// The server or the client refused to log in with these settings.
    private static let refusedLogin: Set<UInt32> = [
        UInt32(ER_ACCESS_DENIED_ERROR), UInt32(ER_DBACCESS_DENIED_ERROR), 1698 /* no password given */,
        1251 /* the server wants an authentication method the client lacks */,
        2059 /* authentication plugin cannot be loaded */, 2061 /* MySQL: authentication requires a secure connection */,
    ]

    public var isConnectionLost: Bool { Self.connectionLost.contains(code) }

    /// The server is read-only (1290 --read-only, MariaDB 1836, 1792 in a read-only transaction):
    /// after a failover this session still points at the old primary, now a replica. Retried, but
    /// on a new connection, which reaches the new primary.
    public var isReadOnlyServer: Bool { Self.readOnlyServer.contains(code) }

    private static let readOnlyServer: Set<UInt32> = [
        UInt32(ER_OPTION_PREVENTS_STATEMENT), UInt32(ER_READ_ONLY_MODE), UInt32(ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION),
    ]

    /// The server gave no answer: the client's own errors (2000–2999: no connection, a lost one, a
    /// read timeout) and a session the server cut. A refusal (read-only, a bad row) is an answer.
    public var isUnanswered: Bool { (2000...2999).contains(code) || isConnectionLost }

    /// Waiting will not fix this by itself: a password, a user or a TLS setting must change.
    public var isRefusedLogin: Bool { Self.refusedLogin.contains(code) }

    /// Every client-side error (2000–2999: the connection, the protocol, TLS) and the server's
    /// environment errors are retried; any other server error refuses the rows.
    public var disposition: Disposition {
        let clientSide = (2000...2999).contains(code)
        return clientSide || isConnectionLost || Self.environmentErrors.contains(code) ? .retry : .refusal
    }

    /// The operation may succeed if tried again as it is.
    public var isTransient: Bool { disposition == .retry }

    public var description: String { "\(server.rawValue) error \(code) (\(sqlState)): \(message)" }

    package static func from(_ handle: UnsafeMutablePointer<MYSQL>) -> DatabaseError {
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
