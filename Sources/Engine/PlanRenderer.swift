import EngineCore

/// Text and summary forms of a plan, shared by `rlhf status` and `rlhf build --dry-run`.
public enum PlanRenderer {
    /// One line: `  run      sft  (input-changed (data from prep))`.
    public static func line(_ entry: NodePlan) -> String {
        let gate = entry.gateFails ? "  (gate failed)" : ""
        switch entry.decision {
        case .upToDate: return "  up-to-date  \(entry.node)\(gate)"
        case let .reuse(runId): return "  reuse       \(entry.node)  (run \(runId))\(gate)"
        case let .run(reason):
            if let failure = entry.lastFailure { return "  run         \(entry.node)  (\(reason); failed (run \(failure.runId)): \(failure.message))" }
            return "  run         \(entry.node)  (\(reason))"
        case let .blocked(gate): return "  blocked     \(entry.node)  (blocked by \(gate))"
        }
    }

    /// The plan as a build summary (what would be built, reused, left alone); failed gates in
    /// `allowedGates` count as overridden instead of failed.
    public static func summary(_ plan: Plan, allowedGates: Set<String> = []) -> BuildSummary {
        var summary = BuildSummary()
        for entry in plan.entries {
            switch entry.decision {
            case .upToDate: summary.upToDate.append(entry.node)
            case .reuse: summary.reused.append(entry.node)
            case .run: summary.built.append(entry.node)
            case let .blocked(gate):
                summary.blocked.append(entry.node)
                summary.blockedBy[entry.node] = gate
            }
            if entry.gateFails {
                if allowedGates.contains(entry.node) { summary.overridden.append(entry.node) } else { summary.failed.append(entry.node) }
            }
        }
        return summary
    }

    /// JSON-ready rows: node, state, reason.
    public static func rows(_ plan: Plan) -> [StatusRow] {
        plan.entries.map { entry in
            let gate = entry.gateFails ? "gate failed" : nil
            switch entry.decision {
            case .upToDate: return StatusRow(node: entry.node, state: "up-to-date", reason: nil, detail: gate, key: entry.key?.hex)
            case let .reuse(runId):
                return StatusRow(node: entry.node, state: "reuse", reason: nil, detail: ["run \(runId)", gate].compactMap { $0 }.joined(separator: "; "), key: entry.key?.hex)
            case let .run(reason):
                if let failure = entry.lastFailure {
                    return StatusRow(node: entry.node, state: "failed", reason: reason.tag,
                                     detail: "failed (run \(failure.runId)): \(failure.message); will run: \(reason)", key: entry.key?.hex)
                }
                return StatusRow(node: entry.node, state: "run", reason: reason.tag, detail: reason.description, key: entry.key?.hex)
            case let .blocked(gate):
                return StatusRow(node: entry.node, state: "blocked", reason: "blocked", detail: "blocked by \(gate)", key: nil, blockedBy: gate)
            }
        }
    }
}

/// One row of `rlhf status --json`.
public struct StatusRow: Codable, Sendable, Equatable {
    /// Node name.
    public var node: String
    /// `up-to-date`, `reuse`, `run`, `failed` (its last run failed; it will run) or `blocked`.
    public var state: String
    /// Reason tag when it would run.
    public var reason: String?
    /// Reason with details, or the reused run.
    public var detail: String?
    /// Node key when known.
    public var key: String?
    /// The failed gate node that blocks it, when blocked.
    public var blockedBy: String?
}
