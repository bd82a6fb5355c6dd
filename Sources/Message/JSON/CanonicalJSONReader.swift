/// Reads JSON written in one known, exact shape straight from its bytes: literals, whitespace and
/// integer literals, with no tree, no strings and no allocation. The fast paths of the hot decoders
/// (`CanonicalEnvelope`, the Producer's `POST /count` body) use it; anything it does not recognise
/// makes them return nil, and the general strict parser then decides, with its precise reasons.
public struct CanonicalJSONReader {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var position = 0

    public init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    public var peek: UInt8? { position < bytes.count ? bytes[position] : nil }
    public var isAtEnd: Bool { position == bytes.count }

    /// Steps over `literal` if the bytes continue with it exactly.
    public mutating func skip(_ literal: [UInt8]) -> Bool {
        guard bytes.count - position >= literal.count,
            literal.indices.allSatisfy({ bytes[position + $0] == literal[$0] })
        else { return false }
        position += literal.count
        return true
    }

    /// Steps over RFC 8259 whitespace (space, tab, line feed, carriage return).
    public mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
    }

    /// A JSON integer literal (`0`, or a digit 1-9 and more digits; `-` first where allowed) in the
    /// signed 64-bit range; nil, with the position unspecified, for anything else.
    public mutating func int64(allowingMinus: Bool) -> Int64? {
        let negative = allowingMinus && peek == UInt8(ascii: "-")
        if negative { position += 1 }
        // Accumulated on the negative side, which holds Int64.min.
        var value: Int64 = 0
        guard digits(into: &value, negative: true) else { return nil }
        if negative { return value }
        return value == .min ? nil : -value
    }

    /// A JSON integer literal without sign in the unsigned 64-bit range; nil for anything else.
    public mutating func uint64() -> UInt64? {
        var value: UInt64 = 0
        return digits(into: &value, negative: false) ? value : nil
    }

    /// Accumulates the digits of an integer literal (no leading zero unless it is `0`), subtracting
    /// them when `negative`; false if there are none, a leading zero, or the type overflows.
    private mutating func digits<Value: FixedWidthInteger>(into value: inout Value, negative: Bool) -> Bool {
        let first = position
        while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
            let digit = Value(byte - UInt8(ascii: "0"))
            let (shifted, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            guard !overflowTimes, !overflowAdd else { return false }
            value = next
            position += 1
        }
        let count = position - first
        return count > 0 && (count == 1 || bytes[first] != UInt8(ascii: "0"))
    }
}
