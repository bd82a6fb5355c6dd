import Testing

@testable import Producer

@Suite struct CountRequestTests {
    private func code(_ body: String) -> String? {
        do {
            _ = try CountRequest.parse(Array(body.utf8))
            return nil
        } catch {
            return error.code
        }
    }

    @Test func acceptsSigned64BitIntegers() throws {
        #expect(try CountRequest.parse(Array(#"{"count": 42}"#.utf8)) == 42)
        #expect(try CountRequest.parse(Array(#"{"count":-9223372036854775808}"#.utf8)) == .min)
        #expect(try CountRequest.parse(Array(" {\"count\":\n9223372036854775807 } ".utf8)) == .max)
        #expect(try CountRequest.parse(Array(#"{"\u0063ount": 7}"#.utf8)) == 7)
    }

    @Test(arguments: [
        ("", "empty_body"),
        ("{", "malformed_json"),
        ("{\"count\": 1,}", "malformed_json"),
        ("nonsense", "malformed_json"),
        ("{\"count\": 1}{}", "malformed_json"),
        ("{\"count\": 1, \"count\": 2}", "malformed_json"),
        ("[{\"count\": 1}]", "wrong_type"),
        ("42", "wrong_type"),
        ("{\"count\": \"42\"}", "wrong_type"),
        ("{\"count\": 4.2}", "wrong_type"),
        ("{\"count\": 4.0}", "wrong_type"),
        ("{\"count\": 1e3}", "wrong_type"),
        ("{\"count\": true}", "wrong_type"),
        ("{\"count\": null}", "wrong_type"),
        ("{\"count\": {\"value\": 1}}", "wrong_type"),
        ("{\"count\": [1]}", "wrong_type"),
        ("{\"count\": 9223372036854775808}", "out_of_range"),
        ("{\"count\": -9223372036854775809}", "out_of_range"),
        ("{}", "missing_count"),
        ("{\"value\": 1}", "unexpected_field"),
        ("{\"count\": 1, \"extra\": 2}", "unexpected_field"),
    ])
    func rejectsWithASpecificCode(body: String, expected: String) {
        #expect(code(body) == expected)
    }
}
