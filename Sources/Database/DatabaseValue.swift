/// A value bound to a `?` of a prepared statement.
public enum DatabaseValue: Sendable, Equatable {
    case integer(Int64)
    case unsignedInteger(UInt64)
    case text(String)
    case null
}

/// A result row: each column as text (`nil` for SQL NULL), as the text protocol delivers it.
public typealias DatabaseRow = [String?]
