import Shared

/// Splits a fetched batch into messages to insert and entries for the dead-letter list.
struct DecodedBatch: Equatable {
    var messages: [QueueMessage] = []
    /// Dead-letter entries, already encoded: `{"reason", "raw", "consumer", "ts"}`.
    var deadLetters: [String] = []

    init(entries: [[UInt8]], consumer: String, now: UInt64 = UnixTime.milliseconds()) {
        for entry in entries {
            do {
                messages.append(try QueueMessage.decode(entry))
            } catch {
                deadLetters.append(Self.deadLetter(reason: error.reason, raw: entry, consumer: consumer, now: now))
            }
        }
    }

    static func deadLetter(reason: String, raw: [UInt8], consumer: String, now: UInt64) -> String {
        JSONText.object([
            "reason": JSONText.quoted(reason), "raw": JSONText.quoted(String(decoding: raw, as: UTF8.self)),
            "consumer": JSONText.quoted(consumer), "ts": String(now),
        ])
    }
}
