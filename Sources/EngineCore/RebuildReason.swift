/// Why a node must run, in the fixed order the planner checks them.
public enum RebuildReason: Sendable, Equatable, Comparable, Codable, CustomStringConvertible {
    /// The node has no successful run.
    case neverBuilt
    /// The kind version, params or seed differ from the last run; lists what changed.
    case definitionChanged(changed: [String])
    /// An input artifact differs: which role and which upstream node (or source path).
    case inputChanged(role: String, upstream: String)
    /// A declared output is missing or modified and the store cannot restore it.
    case outputMissing(output: String)
    /// Forced from the command line.
    case forced

    /// Position in the fixed check order.
    public var rank: Int {
        switch self {
        case .neverBuilt: return 0
        case .definitionChanged: return 1
        case .inputChanged: return 2
        case .outputMissing: return 3
        case .forced: return 4
        }
    }

    /// Orders by check order.
    public static func < (lhs: RebuildReason, rhs: RebuildReason) -> Bool {
        lhs.rank < rhs.rank
    }

    /// A short kebab-case tag (`never-built`, `definition-changed`, …).
    public var tag: String {
        switch self {
        case .neverBuilt: return "never-built"
        case .definitionChanged: return "definition-changed"
        case .inputChanged: return "input-changed"
        case .outputMissing: return "output-missing"
        case .forced: return "forced"
        }
    }

    /// The tag with its details, e.g. `input-changed (data from sft)`.
    public var description: String {
        switch self {
        case .neverBuilt, .forced: return tag
        case let .definitionChanged(changed): return changed.isEmpty ? tag : "\(tag) (\(changed.joined(separator: ", ")))"
        case let .inputChanged(role, upstream): return "\(tag) (\(role) from \(upstream))"
        case let .outputMissing(output): return "\(tag) (\(output))"
        }
    }
}

/// What the planner decided for one node.
public enum NodeDecision: Sendable, Equatable {
    /// Its declared outputs already hold the results for the current key.
    case upToDate
    /// A past run with the current key has its outputs in the store; materialise them without running.
    case reuse(runId: Int64)
    /// It must run, for this reason.
    case run(RebuildReason)
    /// A gate above it failed with severity `error` (the gate node is named); nothing below is up to date.
    case blocked(by: String)

    /// `up-to-date`, `reuse`, `run` or `blocked`.
    public var tag: String {
        switch self {
        case .upToDate: return "up-to-date"
        case .reuse: return "reuse"
        case .run: return "run"
        case .blocked: return "blocked"
        }
    }
}
