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

    /// The fast path reads the bodies clients send, and for every body it reads, the strict parser
    /// gives the same value; every other body it leaves to the strict parser.
    @Test(arguments: [
        (#"{"count": 42}"#, 42), (#"{"count":0}"#, 0), (#"{"count":-0}"#, 0), (" {\"count\" :\n\t-17\r} ", -17),
        (#"{"count":-9223372036854775808}"#, .min), (#"{"count":9223372036854775807}"#, .max),
    ] as [(String, Int64)])
    func fastPathReadsPlainBodies(body: String, expected: Int64) throws {
        let bytes = Array(body.utf8)
        #expect(bytes.withUnsafeBufferPointer(CountRequest.plainCount) == expected)
        #expect(try CountRequest.parseAnyForm(bytes) == expected)
    }

    @Test(arguments: [
        "", "{", "{\"count\": 1,}", "{\"count\": 1}{}", "{\"count\": 1, \"count\": 2}", "{\"count\": 4.0}", "{\"count\": 1e3}",
        "{\"count\": 01}", "{\"count\": -}", "{\"count\": +1}", "{\"count\": 9223372036854775808}", "{\"count\": -9223372036854775809}",
        "{\"\\u0063ount\": 7}", "{\"Count\": 1}", "{\"count\": 1, \"extra\": 2}", "{\"count\": \"42\"}", "[{\"count\": 1}]", "\u{FEFF}{\"count\": 1}",
        "{\"count\": 1}\u{0B}",
    ])
    func fastPathLeavesEverythingElseToTheStrictParser(body: String) {
        #expect(Array(body.utf8).withUnsafeBufferPointer(CountRequest.plainCount) == nil)
    }

    /// Every one-byte change (insert, replace, delete) of a few plain bodies: whatever the fast path
    /// still reads, the strict parser reads as the same value.
    @Test func fastPathAgreesWithTheStrictParserOnEveryOneByteChange() {
        let alphabet = Array(#"{}":,-019.eE+ \"count\u"#.utf8) + [0x09, 0x0A, 0x0B, 0x00, 0xFF]
        var read = 0
        for plain in [#"{"count": 42}"#, #"{"count":-9223372036854775808}"#, #" {"count" : 0 } "#] {
            let original = Array(plain.utf8)
            var variants = original.indices.map { index in var bytes = original; bytes.remove(at: index); return bytes }
            for index in 0...original.count {
                for byte in alphabet {
                    var inserted = original
                    inserted.insert(byte, at: index)
                    variants.append(inserted)
                    if index < original.count {
                        var replaced = original
                        replaced[index] = byte
                        variants.append(replaced)
                    }
                }
            }
            for bytes in variants {
                guard let fast = bytes.withUnsafeBufferPointer(CountRequest.plainCount) else { continue }
                read += 1
                #expect((try? CountRequest.parseAnyForm(bytes)) == fast, "\(String(decoding: bytes, as: UTF8.self).debugDescription)")
            }
        }
        #expect(read > 100, "the changes that keep a plain body (spaces, digits) should be read by the fast path")
    }
}
