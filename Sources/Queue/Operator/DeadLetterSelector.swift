/// Which dead letters a replay or purge acts on: `--all`, `--kind K` or `--id ID`.
public enum DeadLetterSelector: Sendable, Equatable, CustomStringConvertible {
    case all
    case kind(DeadLetter.Kind)
    case id(String)

    /// From the three options of the CLI (or fields of an admin request); exactly one must be given.
    public init(all: Bool, kind: String?, id: String?) throws(DeadLetterSelectorError) {
        switch (all, kind, id) {
        case (true, nil, nil): self = .all
        case (false, let kind?, nil):
            guard let known = DeadLetter.Kind(rawValue: kind) else {
                throw DeadLetterSelectorError(
                    message: "unknown kind '\(kind)'; kinds are \(DeadLetter.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self = .kind(known)
        case (false, nil, let id?):
            guard !id.isEmpty else { throw DeadLetterSelectorError(message: "--id needs a dead letter's id (see `dead-letters list`)") }
            self = .id(id)
        case (false, nil, nil):
            throw DeadLetterSelectorError(message: "say which dead letters: --kind K, --id ID or --all")
        default:
            throw DeadLetterSelectorError(message: "give only one of --kind, --id and --all")
        }
    }

    /// The script's two arguments: the selector's name and its value.
    var scriptArguments: [String] {
        switch self {
        case .all: ["all", ""]
        case .kind(let kind): ["kind", kind.rawValue]
        case .id(let id): ["id", id]
        }
    }

    public var description: String {
        switch self {
        case .all: "all"
        case .kind(let kind): "kind=\(kind.rawValue)"
        case .id(let id): "id=\(id)"
        }
    }
}

public struct DeadLetterSelectorError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
