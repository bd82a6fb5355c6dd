import Foundation
import Testing

@testable import Message

/// Bounded, seeded property-based fuzzing of the two decoders that face untrusted bytes. A failure
/// prints its seed and input; the seeds are fixed so every run checks the same cases.
@Suite struct FuzzTests {
    /// SplitMix64: small, fast and reproducible from a seed.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [UInt64] = [1, 2, 3, 0xC0FFEE]
    static let iterations = 5000

    /// Bytes JSON is made of, so random inputs often get deep into the parser.
    static let alphabet = Array(#"{}[]":,-0123456789.eE+ \ntrufalsn"count\u00"#.utf8) + [0x00, 0xC3, 0xFF, 0x7F]
    static let seedsDocuments = [
        #"{"count": 42}"#, #"{"count":-9223372036854775808}"#, #"{"v":1,"id":"a-1","count":7,"ts":1732000000000}"#,
        #"[{"count": [1, {"x": "\u00e9"}]}]"#, #"{"count": 1.5e10, "extra": null, "t": true}"#,
    ]

    private func randomInput(_ random: inout SeededRandom) -> [UInt8] {
        if Bool.random(using: &random) {
            let length = Int.random(in: 0...64, using: &random)
            return (0..<length).map { _ in Self.alphabet.randomElement(using: &random)! }
        }
        var bytes = Array(Self.seedsDocuments.randomElement(using: &random)!.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let position = Int.random(in: 0...bytes.count, using: &random)
            let operation = Int.random(in: 0..<3, using: &random)
            if operation == 0 || position == bytes.count {
                bytes.insert(Self.alphabet.randomElement(using: &random)!, at: position)
            } else if operation == 1 {
                bytes.remove(at: position)
            } else {
                bytes[position] = UInt8.random(in: 0...255, using: &random)
            }
        }
        return bytes
    }

    /// Whatever our strict parser accepts, a general JSON parser accepts too, except for numbers that
    /// Foundation cannot hold in a Double or Int64 (valid JSON that it refuses, like `1e400`).
    private func foundationAccepts(_ bytes: [UInt8]) -> Bool {
        if (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil { return true }
        guard let parsed = try? StrictJSONParser.parse(bytes) else { return false }
        return containsUnrepresentableNumber(parsed)
    }

    private func containsUnrepresentableNumber(_ value: JSONValue) -> Bool {
        switch value {
        case .number(let text):
            guard let double = Double(text), double.isFinite, abs(double) < 1e300 else { return true }
            return JSONValue.isIntegerLiteral(text) && Int64(text) == nil
        case .array(let elements): return elements.contains(where: containsUnrepresentableNumber)
        case .object(let members): return members.contains { containsUnrepresentableNumber($0.value) }
        default: return false
        }
    }

    @Test(arguments: seeds)
    func strictParserNeverAcceptsInvalidJSON(seed: UInt64) {
        var random = SeededRandom(state: seed)
        var accepted = 0
        for _ in 0..<Self.iterations {
            let input = randomInput(&random)
            guard (try? StrictJSONParser.parse(input)) != nil else { continue }
            accepted += 1
            #expect(foundationAccepts(input), "seed \(seed): accepted invalid JSON \(String(decoding: input, as: UTF8.self).debugDescription)")
        }
        #expect(accepted > 0, "the generator should produce some valid documents")
    }

    @Test(arguments: seeds)
    func countValuesSurviveAnyLayout(seed: UInt64) throws {
        var random = SeededRandom(state: seed)
        let spaces = [" ", "\n", "\t", "\r\n", ""]
        for _ in 0..<Self.iterations {
            let value = Int64(bitPattern: random.next())
            let space = { spaces.randomElement(using: &random)! }
            let body = "\(space()){\(space())\"count\"\(space()):\(space())\(value)\(space())}\(space())"
            let parsed = try StrictJSONParser.parse(Array(body.utf8))
            guard case .object(let members) = parsed, members.count == 1 else {
                Issue.record("seed \(seed): \(body.debugDescription) did not parse as one member")
                continue
            }
            #expect(try CountValue.parse(members[0].value) == value)
        }
    }

    @Test(arguments: seeds)
    func envelopeDecoderAcceptsOnlyWellFormedEnvelopes(seed: UInt64) throws {
        var random = SeededRandom(state: seed)
        for _ in 0..<Self.iterations {
            let message = QueueMessage(
                id: MessageID.make(now: random.next() >> 20), count: Int64(bitPattern: random.next()),
                enqueuedAtMilliseconds: random.next() >> 20)
            #expect(try QueueMessage.decode(Array(message.encoded.utf8)) == message)
            let mangled = randomInput(&random)
            if let decoded = try? QueueMessage.decode(mangled) {
                #expect(MessageID.isValid(decoded.id) && foundationAccepts(mangled), "seed \(seed): \(mangled)")
                #expect(try QueueMessage.decode(Array(decoded.encoded.utf8)) == decoded)
            }
        }
    }
}
