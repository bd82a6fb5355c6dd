import CMariaDB
import Resilience
import Settings

/// One libmariadb session. It owns its `MYSQL` handle and its prepared statements and frees them
/// in `close()` (or `deinit`). Only one thread uses it at a time, which `BlockingConnectionPool`
/// guarantees; hence `@unchecked Sendable`.
package final class DatabaseConnection: BlockingConnection, @unchecked Sendable {
    private var handle: UnsafeMutablePointer<MYSQL>?
    private var statements: [String: PreparedStatement] = [:]
    package private(set) var isUsable = true
    /// MySQL or MariaDB, from the version string the server sent at connect.
    package let server: DatabaseServerKind

    private init(handle: UnsafeMutablePointer<MYSQL>) {
        self.handle = handle
        self.server = DatabaseServerKind(serverVersion: mysql_get_server_info(handle).map { String(cString: $0) } ?? "")
    }

    deinit { close() }

    package func close() {
        statements.values.forEach { $0.close() }
        statements.removeAll()
        if let handle { mysql_close(handle) }
        handle = nil
        isUsable = false
    }

    /// libmariadb's global state must be set up once, before threads race to do it implicitly.
    private static let libraryInitialised: Bool = mysql_server_init(0, nil, nil) == 0

    /// Connects with UTC as the session time zone. `ioTimeout` bounds every read and write
    /// (libmariadb counts it in whole seconds, so it is rounded up, at least 1 s). `localData` lets
    /// the session run `LOAD DATA LOCAL INFILE` from memory (`loadData(_:from:)`).
    package static func connect(
        settings: DatabaseSettings, database: String?, connectTimeout: Duration, ioTimeout: Duration, localData: Bool = false
    ) throws(DatabaseError) -> DatabaseConnection {
        guard libraryInitialised, let handle = mysql_init(nil) else {
            throw DatabaseError(code: 2008, message: "cannot initialise libmariadb")
        }
        var connectSeconds = UInt32(max(1, connectTimeout.seconds.rounded(.up)))
        var ioSeconds = UInt32(max(1, ioTimeout.seconds.rounded(.up)))
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectSeconds)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &ioSeconds)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &ioSeconds)
        mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        mysql_options(handle, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'")
        if localData {
            var on: UInt32 = 1
            mysql_options(handle, MYSQL_OPT_LOCAL_INFILE, &on)
        }
        if settings.tls {
            // Refuse a plain-text session and verify the certificate against the CA and host name.
            var on: my_bool = 1
            mysql_options(handle, MYSQL_OPT_SSL_ENFORCE, &on)
            mysql_options(handle, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on)
            if let caFile = settings.tlsCAFile { mysql_options(handle, MYSQL_OPT_SSL_CA, caFile) }
        }
        // The credential is read now, so a rotated secret reaches every new session; the server's
        // verdict on it goes back to its source (a refusal makes a rotating source fetch again).
        let credential = settings.credentials.current
        guard
            mysql_real_connect(
                handle, settings.host, credential.user ?? "", credential.password ?? "", database, UInt32(settings.port), nil, 0) != nil
        else {
            let error = DatabaseError.from(handle)
            mysql_close(handle)
            if error.code == UInt32(ER_ACCESS_DENIED_ERROR) { settings.credentials.refused(credential) }
            throw error
        }
        settings.credentials.accepted(credential)
        TCPLiveness.apply(toSocket: Int32(mysql_get_socket(handle)))  // a Unix socket refuses the TCP ones: harmless
        return DatabaseConnection(handle: handle)
    }

    package func liveHandle() throws(DatabaseError) -> UnsafeMutablePointer<MYSQL> {
        guard let handle, isUsable else { throw DatabaseError(code: UInt32(CR_SERVER_GONE_ERROR), message: "connection is closed") }
        return handle
    }

    /// Names the server in `error` and retires the connection when the error means the session is
    /// gone or on a read-only server, then returns it for throwing.
    package func noting(_ error: DatabaseError) -> DatabaseError {
        var error = error
        error.server = server
        if error.isConnectionLost || error.isReadOnlyServer { close() }
        return error
    }

    /// The TLS cipher of this session, nil when it is not encrypted.
    package var tlsCipher: String? {
        guard let handle, let cipher = mysql_get_ssl_cipher(handle) else { return nil }
        return String(cString: cipher)
    }

    /// Runs SQL that has no values from outside (DDL, constant queries) and returns its rows, if any.
    @discardableResult
    package func query(_ sql: String) throws(DatabaseError) -> [DatabaseRow] {
        let handle = try liveHandle()
        guard mysql_real_query(handle, sql, UInt(sql.utf8.count)) == 0 else { throw noting(.from(handle)) }
        guard let result = mysql_store_result(handle) else {
            if mysql_field_count(handle) == 0 { return [] }
            throw noting(.from(handle))
        }
        defer { mysql_free_result(result) }
        let columns = Int(mysql_num_fields(result))
        var rows: [DatabaseRow] = []
        while let row = mysql_fetch_row(result), let lengths = mysql_fetch_lengths(result) {
            rows.append((0..<columns).map { column in
                row[column].map { String(decoding: UnsafeRawBufferPointer(start: $0, count: Int(lengths[column])), as: UTF8.self) }
            })
        }
        return rows
    }

    /// Rows the last statement run by `query` changed (inserted, or updated).
    public var affectedRows: UInt64 {
        guard let handle else { return 0 }
        return mysql_affected_rows(handle)
    }

    /// A prepared statement for `sql`, prepared once per connection and reused.
    package func prepared(_ sql: String) throws(DatabaseError) -> PreparedStatement {
        if let statement = statements[sql] { return statement }
        let statement = try PreparedStatement(connection: self, handle: liveHandle(), sql: sql)
        statements[sql] = statement
        return statement
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    package func transaction<Result>(_ body: () throws -> Result) throws -> Result {
        let handle = try liveHandle()
        guard mysql_autocommit(handle, 0) == 0 else { throw noting(.from(handle)) }
        defer { if isUsable { mysql_autocommit(handle, 1) } }
        do {
            let result = try body()
            guard mysql_commit(handle) == 0 else { throw noting(.from(handle)) }
            return result
        } catch {
            if isUsable { mysql_rollback(handle) }
            throw error
        }
    }
}

extension DatabaseConnection {
    /// `text` as a quoted SQL string literal, escaped for this session's character set. Only for
    /// statements that take no placeholders (CREATE USER ... IDENTIFIED BY); use prepared statements elsewhere.
    package func quoted(_ text: String) -> String {
        guard let handle, !text.isEmpty else { return "''" }
        let source = Array(text.utf8)
        var escaped = [CChar](repeating: 0, count: source.count * 2 + 1)
        let length = source.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { mysql_real_escape_string(handle, &escaped, $0.baseAddress, UInt(bytes.count)) }
        }
        return "'" + String(decoding: escaped.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self) + "'"
    }
}
