import Testing

@testable import Message

@Suite struct StrictJSONTests {
    private func parse(_ text: String) throws -> JSONValue { try StrictJSONParser.parse(Array(text.utf8)) }

    @Test func parsesObjectsKeepingNumberText() throws {
        let value = try parse(#" { "count" : -12 , "f": 1.50, "e": 2E+3, "s": "a\"b\u00e9\ud83d\ude00", "n": null, "t": true, "a": [false, {}] } "#)
        #expect(value == .object([
            ("count", .number("-12")), ("f", .number("1.50")), ("e", .number("2E+3")), ("s", .string("a\"bé😀")),
            ("n", .null), ("t", .bool(true)), ("a", .array([.bool(false), .object([])])),
        ]))
    }

    @Test(arguments: [
        "", " ", "{", "{\"count\": 1", "{\"count\": 1,}", "[1,]", "{'count': 1}", "{count: 1}", "01", "-", "1.", ".5", "1e",
        "+1", "NaN", "Infinity", "tru", "nul", "{\"a\":1}{}", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"tab\there\"",
        "{\"a\":1,\"a\":2}", "// c\n1", "1 2",
    ])
    func rejectsInvalidDocuments(_ text: String) {
        #expect(throws: JSONSyntaxError.self) { try parse(text) }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = Array("{\"a\":\"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        #expect(throws: JSONSyntaxError.self) { try StrictJSONParser.parse(bytes) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        #expect(throws: JSONSyntaxError.self) { try parse(deep) }
        let allowed = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        #expect(throws: Never.self) { try parse(allowed) }
        let hostile = String(repeating: "[", count: 100_000)
        #expect(throws: JSONSyntaxError.self) { try parse(hostile) }
    }

    @Test func quotesStringsForJSON() throws {
        let original = "a\"b\\c\nd\u{01}é"
        let quoted = JSONText.quoted(original)
        #expect(quoted == #""a\"b\\c\nd\u0001é""#)
        #expect(try parse(quoted) == .string(original))
    }
}
