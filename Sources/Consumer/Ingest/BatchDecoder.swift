import Message
import Queue

/// Splits a fetched batch into messages to insert and entries for the dead-letter list.
struct DecodedBatch: Equatable, Sendable {
    /// Messages to insert, each id once: a client that retried with the same Idempotency-Key
    /// before the first copy was fetched puts both copies in one batch, and the first one wins.
    var messages: [QueueMessage] = []
    /// The queue entry each of `messages` came from (same order), for dead-lettering it.
    var entries: [[UInt8]] = []
    /// Copies of a message id seen earlier in the same batch, left out of `messages`.
    var duplicatesInBatch = 0
    var deadLetters: [DeadLetter] = []

    init(entries fetched: [[UInt8]]) {
        var ids = Set<String>()
        for entry in fetched {
            do {
                let message = try QueueMessage.decode(entry)
                guard ids.insert(message.id).inserted else {
                    duplicatesInBatch += 1
                    continue
                }
                messages.append(message)
                entries.append(entry)
            } catch {
                deadLetters.append(DeadLetter(kind: .undecodable, reason: error.reason, raw: Self.validUTF8(entry)))
            }
        }
    }

    /// The records are JSON text: bytes that are not UTF-8 become U+FFFD, so every reader can parse them.
    static func validUTF8(_ bytes: [UInt8]) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).utf8)
    }
}
