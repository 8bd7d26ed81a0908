import EngineCore
import GRDB

/// The run forms `show` and `diff` accept.
extension Catalog {
    /// The run `operand` names: a run id (`12`), a node at a catalog point (`sft@12`: its newest run
    /// with id ≤ 12), or a node (`sft`: its newest run in `experiment`, or in any experiment when nil).
    public func run(named operand: String, experiment: String? = nil) throws -> Int64 {
        if let id = Int64(operand) { return id }
        if let at = operand.firstIndex(of: "@") {
            let node = String(operand[..<at])
            guard let point = Int64(operand[operand.index(after: at)...]) else {
                throw EngineError.notFound(what: "run '\(operand)'", hint: "write NODE@RUN with a run id after the @, e.g. sft@12")
            }
            guard let run = try runs(node: node).first(where: { $0.id <= point }) else {
                throw EngineError.notFound(what: "run of node '\(node)' at or before run \(point)", hint: "list its runs with `rlhf runs --node \(node)`")
            }
            return run.id
        }
        if let run = try runs(node: operand, experiment: experiment, limit: 1).first { return run.id }
        throw EngineError.notFound(what: "run '\(operand)'", hint: "give a run id (12), a node at a catalog point (sft@12) or a node with runs; see `rlhf runs`")
    }
}

extension Catalog {
    /// The node and path that first recorded artifact `hash` (nil when the catalog has no record of it).
    public func origin(ofArtifact hash: String) throws -> (node: String, path: String)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT node, path FROM artifacts WHERE hash = ? ORDER BY id LIMIT 1", arguments: [hash]).map { ($0["node"], $0["path"]) }
        }
    }
}
