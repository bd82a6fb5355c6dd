import ArgumentParser
import Queue

/// `Consumer queue pause|resume|status` (DESIGN.md, "Operations interface").
struct QueueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "Hold or release the Consumers, and see the queue's state.",
        subcommands: [Pause.self, Resume.self, Status.self])

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Consumers finish the batch in hand and take no new one; the Producer keeps accepting up to the high-water mark.")

        func run() async throws {
            try await QueueCommand.change(
                { try await $0.pause(origin: $1) }, done: "paused: Consumers take no new batch from their next poll on",
                unchanged: "already paused; nothing changed")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let the Consumers take batches again.")

        func run() async throws {
            try await QueueCommand.change(
                { try await $0.resume(origin: $1) }, done: "resumed: Consumers take batches again from their next poll on",
                unchanged: "not paused; nothing changed")
        }
    }

    /// Pause or resume (`action`, which says whether it changed anything), and say which it was.
    static func change(
        _ action: (OperatorActions, String) async throws -> Bool, done: String, unchanged: String
    ) async throws {
        try await OperatorSession.run { session in
            print(try await action(session.operations, OperatorSession.origin) ? done : unchanged)
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Paused or running, and the queue's depths.")

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await OperatorSession.run { session in
                let depths = try await session.queue.depths(deadline: .after(.seconds(5)))
                print(output.json ? depths.statusJSON : OperatorText.status(depths, queue: session.queue.shards[0].keys.queue))
            }
        }
    }
}
