import ArgumentParser
import Queue

/// `Consumer dead-letters summary|list|show|replay|purge` (DESIGN.md, "Operations interface").
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dead-letters",
        abstract: "Triage, replay and purge the dead-letter list (with the Consumer's REDIS_* settings).",
        subcommands: [Summary.self, List.self, Show.self, Replay.self, Purge.self])

    struct Summary: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts by kind and by distinct reason, oldest and newest time, and how many were evicted.")

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await OperatorSession.run { session in
                let summary = try await session.operations.deadLetters.summary(deadline: .after(.seconds(30)))
                print(output.json ? summary.json : OperatorText.summary(summary))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The newest records, newest first.")

        @Option(help: "Only records of this kind.")
        var kind: String?

        @Option(help: "At most this many records (1 to 10000).")
        var limit = 20

        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
            if let kind, DeadLetter.Kind(rawValue: kind) == nil {
                throw ValidationError("unknown kind '\(kind)'; kinds are \(DeadLetter.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        func run() async throws {
            try await OperatorSession.run { session in
                let records = try await session.operations.deadLetters.newest(
                    kind: kind.flatMap(DeadLetter.Kind.init(rawValue:)), limit: limit, deadline: .after(.seconds(30)))
                print(output.json ? "[" + records.map(\.json).joined(separator: ",") + "]" : OperatorText.list(records))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every field of the record(s) with this id.")

        @Argument(help: "A dead letter's id, as `list` prints it.")
        var id: String

        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await OperatorSession.run { session in
                let records = try await session.operations.deadLetters.records(id: id, deadline: .after(.seconds(30)))
                guard !records.isEmpty else { throw QueueOperationError.unknownID(id) }
                print(output.json ? "[" + records.map(\.json).joined(separator: ",") + "]" : records.map(OperatorText.record).joined(separator: "\n\n"))
            }
        }
    }

    struct Replay: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move the chosen records' entries back onto the queue, atomically, in chunks.",
            discussion: "A replayed message whose row exists already adds no row: its message id stays the same.")

        @OptionGroup var selection: SelectorOptions

        @Option(help: "Replay at most this many records.")
        var limit: Int?

        @Option(help: "Replay at most this many records per second.")
        var rate: Int?

        @Flag(help: "Only say what would be replayed; change nothing.")
        var dryRun = false

        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
            if let rate, rate < 1 { throw ValidationError("--rate must be at least 1 (records per second)") }
        }

        func run() async throws {
            let selector = try selection.selector()
            try await OperatorSession.run { session in
                let result = try await session.operations.replay(
                    selector, limit: limit, rate: rate, dryRun: dryRun, origin: OperatorSession.origin)
                print(output.json
                    ? result.json(action: dryRun ? "dry_run" : "replay", selector: selector)
                    : OperatorText.taken(result, verb: dryRun ? "would replay" : "replayed", selector: selector, dryRun: dryRun))
            }
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete the chosen records for good (needs --yes).")

        @OptionGroup var selection: SelectorOptions

        @Flag(help: "Confirm: the records are deleted, not replayed.")
        var yes = false

        @OptionGroup var output: OutputOptions

        func validate() throws {
            guard yes else { throw ValidationError("purge deletes dead letters for good: add --yes to confirm (nothing was changed)") }
        }

        func run() async throws {
            let selector = try selection.selector()
            try await OperatorSession.run { session in
                let result = try await session.operations.purge(selector, origin: OperatorSession.origin)
                print(output.json
                    ? result.json(action: "purge", selector: selector)
                    : OperatorText.taken(result, verb: "purged", selector: selector, dryRun: false))
            }
        }
    }
}
