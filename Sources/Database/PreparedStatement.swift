import CMariaDB

/// A server-side prepared statement owned by its `DatabaseConnection`: values travel separately
/// from the SQL text, so no input is ever spliced into a statement.
package final class PreparedStatement {
    private var handle: UnsafeMutablePointer<MYSQL_STMT>?
    private unowned let connection: DatabaseConnection
    package let parameterCount: Int

    init(connection: DatabaseConnection, handle connectionHandle: UnsafeMutablePointer<MYSQL>, sql: String) throws(DatabaseError) {
        guard let handle = mysql_stmt_init(connectionHandle) else { throw connection.noting(.from(connectionHandle)) }
        guard mysql_stmt_prepare(handle, sql, UInt(sql.utf8.count)) == 0 else {
            let error = DatabaseError.from(handle)
            mysql_stmt_close(handle)
            throw connection.noting(error)
        }
        self.handle = handle
        self.connection = connection
        self.parameterCount = Int(mysql_stmt_param_count(handle))
    }

    func close() {
        if let handle { mysql_stmt_close(handle) }
        handle = nil
    }

    /// Executes with `values` bound to the `?`s in order; returns the affected row count.
    @discardableResult
    package func execute(_ values: [DatabaseValue]) throws(DatabaseError) -> UInt64 {
        let handle = try run(values)
        let affected = mysql_stmt_affected_rows(handle)
        mysql_stmt_free_result(handle)
        return affected
    }

    /// Executes a query and returns its rows, each column as text.
    package func query(_ values: [DatabaseValue]) throws(DatabaseError) -> [DatabaseRow] {
        let handle = try run(values)
        defer { mysql_stmt_free_result(handle) }
        guard let metadata = mysql_stmt_result_metadata(handle) else { return [] }
        let columns = Int(mysql_num_fields(metadata))
        mysql_free_result(metadata)
        return try ResultBuffers(columns: columns).fetchAll(handle, connection: connection)
    }

    private func run(_ values: [DatabaseValue]) throws(DatabaseError) -> UnsafeMutablePointer<MYSQL_STMT> {
        guard let handle else { throw DatabaseError(code: UInt32(CR_SERVER_GONE_ERROR), message: "statement is closed") }
        guard values.count == parameterCount else {
            throw DatabaseError(code: 2034, message: "statement takes \(parameterCount) values, got \(values.count)")
        }
        let parameters = ParameterBuffers(values)
        defer { parameters.release() }
        guard parameterCount == 0 || mysql_stmt_bind_param(handle, parameters.binds) == 0,
            mysql_stmt_execute(handle) == 0
        else { throw connection.noting(.from(handle)) }
        return handle
    }
}

/// C buffers for the bound values of one execution, released right after it.
private struct ParameterBuffers {
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private var allocations: [UnsafeMutableRawPointer] = []
    private let count: Int

    init(_ values: [DatabaseValue]) {
        count = values.count
        binds = .allocate(capacity: max(count, 1))
        binds.initialize(repeating: MYSQL_BIND(), count: max(count, 1))
        for (index, value) in values.enumerated() {
            switch value {
            case .integer(let number):
                bind(index, type: MYSQL_TYPE_LONGLONG, bytes: withUnsafeBytes(of: number, Array.init))
            case .unsignedInteger(let number):
                bind(index, type: MYSQL_TYPE_LONGLONG, bytes: withUnsafeBytes(of: number, Array.init))
                binds[index].is_unsigned = 1
            case .text(let text):
                bind(index, type: MYSQL_TYPE_STRING, bytes: Array(text.utf8))
            case .null:
                binds[index].buffer_type = MYSQL_TYPE_NULL
            }
        }
    }

    private mutating func bind(_ index: Int, type: enum_field_types, bytes: [UInt8]) {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        allocations.append(buffer)
        binds[index].buffer_type = type
        binds[index].buffer = buffer
        binds[index].buffer_length = UInt(bytes.count)
        binds[index].length_value = UInt(bytes.count)
    }

    func release() {
        allocations.forEach { $0.deallocate() }
        binds.deinitialize(count: max(count, 1))
        binds.deallocate()
    }
}

/// Output buffers that fetch every column as text, growing a column's buffer when a value is longer.
private struct ResultBuffers {
    let columns: Int

    func fetchAll(_ handle: UnsafeMutablePointer<MYSQL_STMT>, connection: DatabaseConnection) throws(DatabaseError) -> [DatabaseRow] {
        let initialCapacity = 64
        let binds = UnsafeMutablePointer<MYSQL_BIND>.allocate(capacity: columns)
        binds.initialize(repeating: MYSQL_BIND(), count: columns)
        let lengths = UnsafeMutablePointer<UInt>.allocate(capacity: columns)
        let nulls = UnsafeMutablePointer<my_bool>.allocate(capacity: columns)
        let buffers = (0..<columns).map { _ in UnsafeMutableRawPointer.allocate(byteCount: initialCapacity, alignment: 8) }
        defer {
            buffers.forEach { $0.deallocate() }
            lengths.deallocate()
            nulls.deallocate()
            binds.deinitialize(count: columns)
            binds.deallocate()
        }
        for column in 0..<columns {
            binds[column].buffer_type = MYSQL_TYPE_STRING
            binds[column].buffer = buffers[column]
            binds[column].buffer_length = UInt(initialCapacity)
            binds[column].length = lengths + column
            binds[column].is_null = nulls + column
        }
        guard mysql_stmt_bind_result(handle, binds) == 0 else { throw connection.noting(.from(handle)) }
        var rows: [DatabaseRow] = []
        while true {
            let status = mysql_stmt_fetch(handle)
            if status == MYSQL_NO_DATA { return rows }
            guard status == 0 || status == MYSQL_DATA_TRUNCATED else { throw connection.noting(.from(handle)) }
            var row: DatabaseRow = []
            for column in 0..<columns {
                if nulls[column] != 0 {
                    row.append(nil)
                } else if Int(lengths[column]) <= initialCapacity {
                    row.append(String(decoding: UnsafeRawBufferPointer(start: buffers[column], count: Int(lengths[column])), as: UTF8.self))
                } else {
                    row.append(try Self.refetch(handle, column: column, length: Int(lengths[column]), connection: connection))
                }
            }
            rows.append(row)
        }
    }

    /// Fetches one column again into a buffer of its full length.
    private static func refetch(
        _ handle: UnsafeMutablePointer<MYSQL_STMT>, column: Int, length: Int, connection: DatabaseConnection
    ) throws(DatabaseError) -> String {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: length, alignment: 8)
        defer { buffer.deallocate() }
        var actualLength: UInt = 0
        var bind = MYSQL_BIND()
        bind.buffer_type = MYSQL_TYPE_STRING
        bind.buffer = buffer
        bind.buffer_length = UInt(length)
        return try withUnsafeMutablePointer(to: &actualLength) { lengthPointer throws(DatabaseError) in
            bind.length = lengthPointer
            guard mysql_stmt_fetch_column(handle, &bind, UInt32(column), 0) == 0 else { throw connection.noting(.from(handle)) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer, count: min(Int(lengthPointer.pointee), length)), as: UTF8.self)
        }
    }
}
