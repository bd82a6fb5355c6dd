import Testing

@testable import Message

@Suite struct QueueMessageTests {
    @Test func roundTripsTheEnvelope() throws {
        let message = QueueMessage(id: MessageID.make(), count: Int64.min, enqueuedAtMilliseconds: 1_732_000_000_123)
        #expect(message.encoded == "{\"v\":1,\"id\":\"\(message.id)\",\"count\":-9223372036854775808,\"ts\":1732000000123}")
        #expect(try QueueMessage.decode(Array(message.encoded.utf8)) == message)
    }

    @Test func acceptsFieldsInAnyOrderWithWhitespace() throws {
        let raw = #" { "ts": 5, "count": 9223372036854775807, "id": "legacy-1.2-3", "v": 1 } "#
        #expect(try QueueMessage.decode(Array(raw.utf8)) == QueueMessage(id: "legacy-1.2-3", count: .max, enqueuedAtMilliseconds: 5))
    }

    @Test(arguments: [
        ("hello", "not valid JSON"),
        ("[1]", "expected an envelope object"),
        (#"{"v":2,"id":"a","count":1,"ts":1}"#, "\"v\" must be 1"),
        (#"{"v":1,"count":1,"ts":1}"#, "\"id\" must be"),
        (#"{"v":1,"id":"a b","count":1,"ts":1}"#, "\"id\" must be"),
        (#"{"v":1,"id":"a","ts":1}"#, "\"count\" is missing"),
        (#"{"v":1,"id":"a","count":"1","ts":1}"#, "must be a JSON integer"),
        (#"{"v":1,"id":"a","count":1.0,"ts":1}"#, "must be a JSON integer"),
        (#"{"v":1,"id":"a","count":9223372036854775808,"ts":1}"#, "signed 64-bit"),
        (#"{"v":1,"id":"a","count":1,"ts":-1}"#, "\"ts\" must be"),
        (#"{"v":1,"id":"a","count":1,"ts":1,"x":0}"#, "unknown envelope field(s): x"),
    ])
    func rejectsBadEnvelopesWithAReason(raw: String, reason: String) {
        #expect {
            try QueueMessage.decode(Array(raw.utf8))
        } throws: { error in
            (error as? QueueMessageError)?.reason.contains(reason) == true
        }
    }

    @Test func countValueAcceptsOnlyIntegerLiterals() throws {
        #expect(try CountValue.parse(.number("0")) == 0)
        #expect(try CountValue.parse(.number("-9223372036854775808")) == .min)
        #expect(throws: CountValueError.outOfRange("-9223372036854775809")) { try CountValue.parse(.number("-9223372036854775809")) }
        #expect(throws: CountValueError.notAnInteger(found: "a non-integer number")) { try CountValue.parse(.number("1e3")) }
        #expect(throws: CountValueError.notAnInteger(found: "a string")) { try CountValue.parse(.string("1")) }
        #expect(throws: CountValueError.notAnInteger(found: "a boolean")) { try CountValue.parse(.bool(true)) }
        #expect(throws: CountValueError.notAnInteger(found: "null")) { try CountValue.parse(.null) }
        #expect(throws: CountValueError.notAnInteger(found: "an object")) { try CountValue.parse(.object([])) }
    }

    @Test func messageIDsAreUUIDv7OrderedAndUnique() {
        let first = MessageID.make(now: 1_000)
        let second = MessageID.make(now: 2_000)
        #expect(first.count == 36 && MessageID.isValid(first))
        #expect(Array(first)[14] == "7")
        #expect("89ab".contains(Array(first)[19]))
        #expect(first < second)
        #expect(first.hasPrefix("00000000-03e8-7"))
        let many = Set((0..<10_000).map { _ in MessageID.make() })
        #expect(many.count == 10_000)
        #expect(!MessageID.isValid("") && !MessageID.isValid(String(repeating: "a", count: 65)) && !MessageID.isValid("a\"b"))
    }

    private static func canonical(_ text: String) -> QueueMessage? {
        Array(text.utf8).withUnsafeBufferPointer(CanonicalEnvelope.decode)
    }

    /// The canonical envelopes the Producer and the fetch script write: read directly, and exactly
    /// what the general decoder makes of them.
    @Test(arguments: [
        QueueMessage(id: MessageID.make(), count: 42, enqueuedAtMilliseconds: 1_764_600_000_000),
        QueueMessage(id: "legacy-1764600000.123456-7", count: -1, enqueuedAtMilliseconds: 0),
        QueueMessage(id: "a", count: .min, enqueuedAtMilliseconds: .max),
        QueueMessage(id: String(repeating: "z", count: MessageID.maxLength), count: .max, enqueuedAtMilliseconds: 1),
        QueueMessage(id: "key:with.all_chars-09", count: 0, enqueuedAtMilliseconds: 10),
    ])
    func canonicalEnvelopesAreReadDirectlyAndAsTheGeneralDecoderReadsThem(message: QueueMessage) throws {
        #expect(Self.canonical(message.encoded) == message)
        #expect(try QueueMessage.decodeAnyForm(Array(message.encoded.utf8)) == message)
    }

    /// Every other spelling, valid or not, is left to the general decoder, so the answer (a message
    /// or the precise reason) is the general decoder's.
    @Test(arguments: [
        #"{"v":1, "id":"a","count":1,"ts":2}"#, #"{"id":"a","v":1,"count":1,"ts":2}"#, #"{"v":1,"id":"\u0061","count":1,"ts":2}"#,
        #"{"v":1,"id":"a","count":1,"ts":2} "#, #"{"v":1,"id":"a","count":1,"ts":2,"x":3}"#, #"{"v":1,"id":"a","count":1.0,"ts":2}"#,
        #"{"v":1,"id":"a","count":1e3,"ts":2}"#, #"{"v":1,"id":"a","count":01,"ts":2}"#,
        #"{"v":1,"id":"a","count":9223372036854775808,"ts":2}"#, #"{"v":1,"id":"a","count":1,"ts":-2}"#,
        #"{"v":1,"id":"a","count":1,"ts":18446744073709551616}"#, #"{"v":1,"id":"","count":1,"ts":2}"#,
        #"{"v":1,"id":"a b","count":1,"ts":2}"#, #"{"v":1,"id":"a","count":1,"ts":2"#, #"{"v":1,"id":"a","count":"1","ts":2}"#,
        #"{"v":2,"id":"a","count":1,"ts":2}"#, #"{"v":1,"id":"a","count":1,"count":2,"ts":2}"#, #"{"v":1,"id":"a","count":,"ts":2}"#,
        "{\"v\":1,\"id\":\"" + String(repeating: "a", count: MessageID.maxLength + 1) + "\",\"count\":1,\"ts\":2}",
    ])
    func anyOtherSpellingGetsTheGeneralDecodersAnswer(text: String) {
        #expect(Self.canonical(text) == nil)
        let raw = Array(text.utf8)
        let answer = Result { () throws(QueueMessageError) in try QueueMessage.decode(raw) }
        #expect(answer == Result { () throws(QueueMessageError) in try QueueMessage.decodeAnyForm(raw) })
    }
}
