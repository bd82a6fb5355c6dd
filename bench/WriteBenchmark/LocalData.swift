import CMariaDB
import Database

// The benchmark's one C call beyond the Database module: the session stays the only owner of its
// handle, lent here for one statement (`DatabaseConnection.liveHandle`).

extension DatabaseConnection {
    /// Runs `sql`, a `LOAD DATA LOCAL INFILE` statement, with `data` as the file's content: libmariadb's
    /// local-infile handler is pointed at this buffer for the one statement, so no file is written,
    /// and whatever file name the server asks for, it only ever gets `data`. Returns the affected rows.
    /// The session must have been opened with `localData: true`, and the server must allow it
    /// (MariaDB does by default, MySQL 8 and later only with `local_infile=ON`).
    func loadData(_ sql: String, from data: [UInt8]) throws(DatabaseError) -> UInt64 {
        let handle = try liveHandle()
        let source = LocalDataSource(data)
        let userdata = Unmanaged.passRetained(source)
        defer {
            mysql_set_local_infile_default(handle)
            userdata.release()
        }
        mysql_set_local_infile_handler(
            handle,
            { state, _, userdata in
                state?.pointee = userdata
                return 0
            },
            { state, buffer, capacity in
                guard let state, let buffer else { return -1 }
                return Unmanaged<LocalDataSource>.fromOpaque(state).takeUnretainedValue().read(into: buffer, capacity: Int(capacity))
            },
            { _ in },
            { _, _, _ in 0 },
            userdata.toOpaque())
        guard mysql_real_query(handle, sql, UInt(sql.utf8.count)) == 0 else { throw noting(.from(handle)) }
        return mysql_affected_rows(handle)
    }
}

/// The bytes one `LOAD DATA LOCAL INFILE` reads, handed out in the chunks libmariadb asks for.
private final class LocalDataSource {
    private let data: [UInt8]
    private var offset = 0

    init(_ data: [UInt8]) {
        self.data = data
    }

    /// Copies the next chunk into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int32 {
        let count = min(capacity, data.count - offset)
        data.withUnsafeBytes { bytes in
            UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return Int32(count)
    }
}
