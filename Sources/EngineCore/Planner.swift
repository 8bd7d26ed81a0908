/// What the planner may ask about the world; the executor answers from the catalog, the store and
/// the file system, tests answer from dictionaries.
public protocol PlannerFacts {
    /// The run whose outputs the node's declared paths should currently hold.
    func head(of node: String) -> RunSummary?
    /// The newest successful run with `key` whose outputs are all in the content store.
    func reusableRun(key: ContentHash) -> RunSummary?
    /// The content hash at a workspace-relative path, or nil when nothing is there.
    func currentHash(of path: String) -> ContentHash?
    /// The catalog view node `viewer` would get if every node upstream of it stayed as its head is.
    func catalogView(viewer: String, pipeline: Pipeline) -> CatalogView?
    /// The node's newest run when it failed after its head (or with no head), else nil.
    func lastFailure(of node: String) -> RunFailure?
}

extension PlannerFacts {
    /// No catalog by default: a `readsCatalog` node then plans as running.
    public func catalogView(viewer: String, pipeline: Pipeline) -> CatalogView? { nil }
    /// No failures known by default.
    public func lastFailure(of node: String) -> RunFailure? { nil }
}

/// A node's last run, which failed.
public struct RunFailure: Sendable, Equatable {
    /// The run id.
    public var runId: Int64
    /// The last line of its error.
    public var message: String

    /// Creates a failure; `error` is reduced to its last non-empty line.
    public init(runId: Int64, error: String) {
        self.runId = runId
        message = error.split(whereSeparator: \.isNewline).last.map(String.init) ?? error
    }
}

/// How a settled node stands for the nodes below it (the input of the one gate-blocking rule).
public enum SettledState: Sendable, Equatable {
    /// It produced its outputs and no blocking gate of it failed.
    case fine
    /// It produced its outputs, but a gate of it failed with a blocking severity.
    case gateFailed
    /// It failed, was skipped or interrupted: nothing below can run.
    case failed
    /// It is itself blocked by this failed gate node.
    case blocked(by: String)
}

/// The plan for one node.
public struct NodePlan: Sendable, Equatable {
    /// Node name.
    public var node: String
    /// The decision.
    public var decision: NodeDecision
    /// The node key, when every input hash is known.
    public var key: ContentHash?
    /// Output name → hash the outputs will have, when known before running.
    public var outputs: [String: ContentHash]?
    /// Whether the run it stands on (head or reused run) holds a blocking gate failure.
    public var gateFails = false
    /// Its last run, when that failed (shown by `status` as `failed (run N): <error>`).
    public var lastFailure: RunFailure?
}

/// A plan: one decision per node, in topological order.
public struct Plan: Sendable, Equatable {
    /// Entries in topological order.
    public var entries: [NodePlan]

    /// The entry for `node`.
    public subscript(node: String) -> NodePlan? {
        entries.first { $0.node == node }
    }

    /// Node → the failed gate that blocks it.
    public var blocked: [String: String] {
        var result: [String: String] = [:]
        for entry in entries {
            if case let .blocked(gate) = entry.decision { result[entry.node] = gate }
        }
        return result
    }

    /// Nodes that will run.
    public var toRun: [String] {
        entries.filter { if case .run = $0.decision { return true } else { return false } }.map(\.node)
    }
}

/// The pure planner: from a pipeline, the registry and facts, decide `upToDate | reuse | run(reason)`.
public struct Planner: Sendable {
    /// The pipeline.
    public var pipeline: Pipeline
    /// The kinds.
    public var registry: StageRegistry

    /// Creates a planner.
    public init(pipeline: Pipeline, registry: StageRegistry) {
        self.pipeline = pipeline
        self.registry = registry
    }

    /// Plans `nodes` (topologically ordered). A node below one that must run is planned as running
    /// with `input-changed` unless an earlier reason applies; the executor re-decides it once the
    /// upstream outputs are known (early cutoff). A node below a gate whose known verdict fails with
    /// a blocking severity is `blocked(by:)` that gate, unless the gate is in `allowedGates`.
    public func plan(nodes: [String], facts: PlannerFacts, forced: Set<String>, allowedGates: Set<String> = []) -> Plan {
        var known: [String: [String: ContentHash]] = [:]
        var unchanged: Set<String> = []
        var settled: [String: SettledState] = [:]
        var entries: [NodePlan] = []
        for name in nodes {
            let node = pipeline.nodes[name]!
            if let gate = Self.blockingGate(of: node, allowedGates: allowedGates, state: { settled[$0] }) {
                settled[name] = .blocked(by: gate)
                entries.append(NodePlan(node: name, decision: .blocked(by: gate), key: nil, outputs: nil))
                continue
            }
            var inputs: [String: ContentHash] = [:]
            var unknown: (role: String, upstream: String)?
            for role in node.inputs.keys.sorted() {
                let source = node.inputs[role]!
                if let hash = known[source.node]?[source.output] {
                    inputs[role] = hash
                } else if unknown == nil {
                    unknown = (role, source.node)
                }
            }
            let changedAbove = registry.kind(named: node.kind)!.readsCatalog
                ? pipeline.closure(of: [name]).first { $0 != name && !unchanged.contains($0) } : nil
            let entry: NodePlan
            if let unknown = unknown.map({ ($0.role, $0.upstream) }) ?? changedAbove.map({ (Self.catalogRole, $0) }) {
                let head = facts.head(of: name)
                let reason = head == nil ? .neverBuilt : definitionChanges(node, head!).map { RebuildReason.definitionChanged(changed: $0) }
                    ?? .inputChanged(role: unknown.0, upstream: unknown.1)
                entry = NodePlan(node: name, decision: .run(reason), key: nil, outputs: nil)
            } else {
                entry = decide(node: node, inputs: inputs, forced: forced.contains(name), facts: facts,
                               catalog: facts.catalogView(viewer: name, pipeline: pipeline))
            }
            var decided = entry
            if case .run = entry.decision { decided.lastFailure = facts.lastFailure(of: name) }
            if entry.decision == .upToDate { unchanged.insert(name) }
            if let outputs = entry.outputs { known[name] = outputs }
            settled[name] = entry.gateFails ? .gateFailed : .fine
            entries.append(decided)
        }
        return Plan(entries: entries)
    }

    /// The one gate-blocking rule that `status`, `--dry-run` and `build` share: a node is blocked
    /// by the first dependency (in sorted order) that is blocked (by that dependency's gate), that
    /// failed (by it), or whose gate failed with a blocking severity and is not in `allowedGates`
    /// (by it). `state` answers for settled dependencies; nil means not settled yet.
    public static func blockingGate(of node: Node, allowedGates: Set<String>, state: (String) -> SettledState?) -> String? {
        for dependency in node.dependencies {
            switch state(dependency) {
            case let .blocked(gate)?: return gate
            case .failed?: return dependency
            case .gateFailed? where !allowedGates.contains(dependency): return dependency
            default: continue
            }
        }
        return nil
    }

    /// The pseudo input role a `readsCatalog` node's catalog view is reported under when it changed.
    public static let catalogRole = "catalog view"

    /// Decides one node whose input artifact hashes (role → hash) are all known; `catalog` is the
    /// view a `readsCatalog` node gets (its `keyHash` enters the key).
    public func decide(node: Node, inputs: [String: ContentHash], forced: Bool, facts: PlannerFacts, catalog: CatalogView? = nil) -> NodePlan {
        let kind = registry.kind(named: node.kind)!
        let head = facts.head(of: node.name)
        if kind is FileKind {
            let path = node.outputs[FileKind.outputName] ?? ""
            guard let current = facts.currentHash(of: path) else {
                return NodePlan(node: node.name, decision: .run(.outputMissing(output: path)), key: nil, outputs: nil)
            }
            let key = self.key(node: node, kind: kind, inputs: ["source": current])
            let outputs = [FileKind.outputName: current]
            if head?.key == key, !forced { return NodePlan(node: node.name, decision: .upToDate, key: key, outputs: outputs) }
            let reason: RebuildReason = head == nil ? .neverBuilt
                : definitionChanges(node, head!).map { .definitionChanged(changed: $0) } ?? (head!.key == key ? .forced : .inputChanged(role: "source", upstream: path))
            return NodePlan(node: node.name, decision: .run(reason), key: key, outputs: outputs)
        }
        let key = self.key(node: node, kind: kind, inputs: inputs, catalog: kind.readsCatalog ? catalog?.keyHash : nil)
        if let head, head.key == key, outputsIntact(node, head, facts) {
            return NodePlan(node: node.name, decision: forced ? .run(.forced) : .upToDate, key: key, outputs: forced ? nil : head.outputs,
                            gateFails: !forced && head.gateFailed)
        }
        if !forced, let cached = facts.reusableRun(key: key) {
            return NodePlan(node: node.name, decision: .reuse(runId: cached.runId), key: key, outputs: cached.outputs, gateFails: cached.gateFailed)
        }
        return NodePlan(node: node.name, decision: .run(reason(node, head, inputs: inputs, key: key, facts: facts)), key: key, outputs: nil)
    }

    /// The node key: XXH3-128 of the canonical JSON of kind, version, params, input hashes,
    /// (for kinds that use randomness) the seed and (for kinds that read the catalog) the view's `keyHash`.
    public func key(node: Node, kind: any StageKind, inputs: [String: ContentHash], catalog: ContentHash? = nil) -> ContentHash {
        var fields: [String: JSONValue] = [
            "kind": .string(kind.name),
            "version": .int(Int64(kind.version)),
            "params": .object(node.params),
            "inputs": .object(inputs.mapValues { .string($0.hex) }),
        ]
        if kind.usesRandomness { fields["seed"] = .int(Int64(bitPattern: pipeline.seed(of: node))) }
        if let catalog { fields["catalog"] = .string(catalog.hex) }
        return ContentHash.of(bytes: JSONValue.object(fields).canonicalBytes)
    }

    private func outputsIntact(_ node: Node, _ head: RunSummary, _ facts: PlannerFacts) -> Bool {
        node.outputs.allSatisfy { name, path in head.outputs[name] != nil && facts.currentHash(of: path) == head.outputs[name] }
    }

    private func reason(_ node: Node, _ head: RunSummary?, inputs: [String: ContentHash], key: ContentHash, facts: PlannerFacts) -> RebuildReason {
        guard let head else { return .neverBuilt }
        if let changed = definitionChanges(node, head) { return .definitionChanged(changed: changed) }
        for role in Set(inputs.keys).union(head.inputs.keys).sorted() where inputs[role] != head.inputs[role] {
            return .inputChanged(role: role, upstream: node.inputs[role]?.node ?? "(removed)")
        }
        if head.key == key {
            for name in node.outputs.keys.sorted() where facts.currentHash(of: node.outputs[name]!) != head.outputs[name] {
                return .outputMissing(output: name)
            }
            return .forced
        }
        if registry.kind(named: node.kind)?.readsCatalog == true { return .inputChanged(role: Self.catalogRole, upstream: "upstream runs") }
        return .definitionChanged(changed: [])
    }

    /// What differs between the node's definition and `head`'s, or nil when nothing does.
    func definitionChanges(_ node: Node, _ head: RunSummary) -> [String]? {
        let kind = registry.kind(named: node.kind)!
        var changed: [String] = []
        if head.kindVersion != kind.version { changed.append("\(kind.name) version \(head.kindVersion)→\(kind.version)") }
        if node.canonicalParams != head.canonicalParams {
            let old = head.params
            for name in Set(node.params.keys).union(old.keys).sorted() where node.params[name]?.canonical != old[name]?.canonical {
                changed.append("params.\(name)")
            }
        }
        if kind.usesRandomness, head.seed != pipeline.seed(of: node) { changed.append("seed") }
        return changed.isEmpty ? nil : changed
    }
}
