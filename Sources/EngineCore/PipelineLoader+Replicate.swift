import Foundation

/// `"replicate": {"seeds": [11, 22, 33]}` (or `--seeds 11,22,33`): the seeded part of an experiment once per seed.
///
/// The seeded nodes are the nodes of random kinds that take the pipeline seed (a node that pins its own
/// `seed` param, like a `synth.world` with `"seed": 1`, does not), or the nodes listed under
/// `"replicate": {"nodes": [...]}`. Each of them and everything below it is cloned per seed as
/// `<node>-seed<seed>`, running with that seed, its outputs under `experiments/<experiment>/seeds/<seed>/`.
/// Nodes that do not depend on the seed stay shared. An `evaluate.aggregate` node `<evaluate>_aggregate`
/// is added over every cloned `evaluate` node's summaries, and a catalog-reading node below the clones
/// (the report) stays single: it reads the first seed's clones and the aggregate (role `aggregate`).
/// Clone names, seeds and paths depend only on the node and its seed, so adding a seed leaves every
/// existing clone's key as it was and a build runs only the new seed's nodes (and the aggregate).
extension PipelineValidator {
    /// The replicate spec's keys.
    static let replicateKeys: Set<String> = ["seeds", "nodes"]
    /// The most seeds a replication may list (each one copies the seeded part of the graph).
    static let maxSeeds = 100
    /// The kind whose outputs are aggregated, its output, and the aggregating kind.
    static let aggregated = (kind: "evaluate", output: "summary", aggregate: "evaluate.aggregate")

    /// The name of `node`'s clone for `seed`.
    static func cloneName(_ node: String, seed: UInt64) -> String {
        Replica.name(of: node, seed: seed)
    }

    /// `pipeline` expanded by `spec` (the `"replicate"` value) or by `override` (`--seeds`, which wins);
    /// nil with issues recorded when the spec is invalid. Without either (or with `"replicate": null`, which a variant
    /// uses to drop its base's replication), `pipeline` as it is.
    mutating func replicate(_ pipeline: Pipeline, spec: JSONValue?, override: [UInt64]?) -> Pipeline? {
        var spec = spec
        if case .null? = spec { spec = nil }
        guard spec != nil || override != nil else { return pipeline }
        let before = issues.count
        guard let fields = replicateFields(spec) else { return nil }
        let seeds: [UInt64]
        if let override {
            seeds = checkedSeeds(override.map { .int(Int64(bitPattern: $0)) }, path: "--seeds")
        } else if let raw = fields["seeds"] {
            if case let .array(items) = raw {
                seeds = checkedSeeds(items, path: "replicate.seeds")
            } else {
                issue("replicate.seeds", "must be an array of integer seeds such as [11, 22, 33], found \(raw.typeName)")
                seeds = []
            }
        } else {
            issue("replicate.seeds", "missing; add \"seeds\": [11, 22, 33]")
            seeds = []
        }
        let roots = seededRoots(pipeline, listed: fields["nodes"])
        guard issues.count == before else { return nil }
        return expand(pipeline, seeds: seeds, roots: roots)
    }

    /// The spec's object (no fields without a spec; nil and an issue when it is not an object).
    private mutating func replicateFields(_ spec: JSONValue?) -> [String: JSONValue]? {
        guard let spec else { return [:] }
        guard let fields = spec.objectValue else {
            issue("replicate", "must be an object such as {\"seeds\": [11, 22, 33]}, found \(spec.typeName)")
            return nil
        }
        for key in fields.keys.sorted() where !Self.replicateKeys.contains(key) {
            issue("replicate.\(key)", "unknown key; expected one of \(Self.replicateKeys.sorted().joined(separator: ", "))")
        }
        return fields
    }

    /// The seeds of `items`, each a non-negative integer, at least two, none repeated; issues at `path[i]`.
    private mutating func checkedSeeds(_ items: [JSONValue], path: String) -> [UInt64] {
        if items.count < 2 {
            issue(path, items.isEmpty ? "is empty; list at least 2 seeds, e.g. [11, 22, 33], or remove the replication"
                : "has one seed; list at least 2 (e.g. [11, 22, 33]) for an interval across seeds, or set the top-level \"seed\" instead")
        }
        if items.count > Self.maxSeeds {
            issue(path, "lists \(items.count) seeds; at most \(Self.maxSeeds) are allowed (each copies the seeded part of the graph), so split the experiment")
            return []
        }
        var seeds: [UInt64] = []
        var first: [UInt64: Int] = [:]
        for (index, item) in items.enumerated() {
            guard let value = item.intValue, value >= 0 else {
                let shown = item.stringValue.map { "string \"\(Self.printable($0))\"" } ?? (item.intValue.map { "\($0)" } ?? item.typeName)
                issue("\(path)[\(index)]", "must be a non-negative integer seed, found \(shown); write it as a JSON number such as 11")
                continue
            }
            let seed = UInt64(value)
            if let earlier = first[seed] {
                issue("\(path)[\(index)]", "duplicate seed \(seed) (also at \(path)[\(earlier)]); each seed runs once, remove one")
                continue
            }
            first[seed] = index
            seeds.append(seed)
        }
        return seeds
    }

    /// Whether `node` runs with the pipeline seed: a random kind that does not pin its own seed param and does not read the catalog.
    func takesSeed(_ node: Node) -> Bool {
        guard let kind = registry.kind(named: node.kind), kind.usesRandomness, !kind.readsCatalog else { return false }
        return !pinsSeed(node, kind: kind)
    }

    /// Whether `node` sets a `seed` param that its kind otherwise takes from the pipeline seed (so the pipeline seed no longer reaches it).
    private func pinsSeed(_ node: Node, kind: any StageKind) -> Bool {
        guard node.params["seed"] != nil, let spec = kind.params.first(where: { $0.name == "seed" }),
              case let .derived(text) = spec.defaultValue else { return false }
        return text.contains("pipeline seed")
    }

    /// The nodes whose clones take the seeds: the `nodes` list when given (each checked), else every node that takes the seed.
    private mutating func seededRoots(_ pipeline: Pipeline, listed: JSONValue?) -> [String] {
        let seedable = pipeline.order.filter { takesSeed(pipeline.nodes[$0]!) }
        guard let listed else {
            if seedable.isEmpty {
                issue("replicate", "no node takes the pipeline seed (random kinds such as pretrain, sft, ppo, evaluate); there is nothing to replicate")
            }
            return seedable
        }
        guard case let .array(items) = listed, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }) else {
            issue("replicate.nodes", "must be a non-empty array of node names, e.g. [\"ppo\"]; omit it to replicate every node that takes the seed")
            return []
        }
        var roots: [String] = []
        for (index, item) in items.enumerated() {
            let name = item.stringValue!
            let path = "replicate.nodes[\(index)]"
            guard let node = pipeline.nodes[name] else {
                issue(path, "refers to missing node '\(Self.printable(name))'; nodes that take the seed: \(seedable.joined(separator: ", "))")
                continue
            }
            guard let kind = registry.kind(named: node.kind), kind.usesRandomness, !kind.readsCatalog else {
                issue(path, "node '\(name)' (kind '\(node.kind)') cannot be seeded: its kind does not use the seed; name one of \(seedable.joined(separator: ", "))")
                continue
            }
            if pinsSeed(node, kind: kind) {
                issue(path, "node '\(name)' cannot be seeded: it pins nodes.\(name).params.seed; remove that param so it takes each replicate seed")
                continue
            }
            if !roots.contains(name) { roots.append(name) }
        }
        return roots
    }

    /// The pipeline with every node in `roots` and below them cloned per seed, the originals removed, the
    /// aggregates added and catalog-reading consumers rewired; nil with issues when a name or path collides.
    private mutating func expand(_ pipeline: Pipeline, seeds: [UInt64], roots: [String]) -> Pipeline? {
        let cloned = Set(roots).union(pipeline.downstream(of: Set(roots)).filter { name in
            registry.kind(named: pipeline.nodes[name]!.kind)?.readsCatalog != true
        })
        var nodes = pipeline.nodes.filter { !cloned.contains($0.key) }
        for seed in seeds {
            for base in pipeline.order where cloned.contains(base) {
                let clone = Self.clone(pipeline.nodes[base]!, seed: seed, cloned: cloned, experiment: pipeline.experiment)
                if pipeline.nodes[clone.name] != nil {
                    issue("nodes.\(clone.name)", "is also the name of the clone of '\(base)' for seed \(seed); rename the node")
                }
                nodes[clone.name] = clone
            }
        }
        var aggregates: [String] = []
        if registry.kind(named: Self.aggregated.aggregate) != nil {
            for base in pipeline.order where cloned.contains(base) && pipeline.nodes[base]!.kind == Self.aggregated.kind
                && pipeline.nodes[base]!.outputs[Self.aggregated.output] != nil {
                let name = "\(base)_aggregate"
                if pipeline.nodes[name] != nil {
                    issue("nodes.\(name)", "is also the name of the aggregate of '\(base)' over the replicate seeds; rename the node")
                }
                var inputs: [String: OutputRef] = [:]
                for seed in seeds { inputs["seed_\(seed)"] = OutputRef(node: Self.cloneName(base, seed: seed), output: Self.aggregated.output) }
                let kind = registry.kind(named: Self.aggregated.aggregate)!
                let outputs = Dictionary(uniqueKeysWithValues: (kind.outputs ?? []).map { ($0, kind.defaultPath(output: $0, node: name, experiment: pipeline.experiment)) })
                nodes[name] = Node(name: name, kind: kind.name, inputs: inputs, params: [:], outputs: outputs, after: [])
                aggregates.append(name)
            }
        }
        for name in nodes.keys.sorted() where nodes[name]!.replica == nil {
            nodes[name] = Self.rewire(nodes[name]!, to: seeds[0], cloned: cloned, allSeeds: seeds,
                                      aggregates: registry.kind(named: nodes[name]!.kind)?.inputs == nil ? aggregates : [])
        }
        checkOutputPaths(nodes)
        guard issues.isEmpty, let order = topologicalOrder(nodes) else { return nil }
        var expanded = Pipeline(experiment: pipeline.experiment, seed: pipeline.seed, nodes: nodes, order: order)
        expanded.seeds = seeds
        return expanded
    }

    /// `node` cloned for `seed`: named `<node>-seed<seed>`, reading the clones of its cloned upstream nodes, outputs moved under `seeds/<seed>/`.
    private static func clone(_ node: Node, seed: UInt64, cloned: Set<String>, experiment: String) -> Node {
        var clone = node
        clone.name = cloneName(node.name, seed: seed)
        clone.replica = Replica(base: node.name, seed: seed)
        clone.inputs = node.inputs.mapValues { reference in
            cloned.contains(reference.node) ? OutputRef(node: cloneName(reference.node, seed: seed), output: reference.output) : reference
        }
        clone.after = node.after.map { cloned.contains($0) ? cloneName($0, seed: seed) : $0 }
        clone.outputs = node.outputs.mapValues { seededPath($0, experiment: experiment, seed: seed) }
        return clone
    }

    /// A shared `node` below the clones: inputs from the first seed's clones, `after` every seed's clones, plus the aggregates.
    private static func rewire(_ node: Node, to first: UInt64, cloned: Set<String>, allSeeds: [UInt64], aggregates: [String]) -> Node {
        guard node.dependencies.contains(where: cloned.contains) else { return node }
        var rewired = node
        rewired.inputs = node.inputs.mapValues { reference in
            cloned.contains(reference.node) ? OutputRef(node: cloneName(reference.node, seed: first), output: reference.output) : reference
        }
        rewired.after = node.after.flatMap { name in cloned.contains(name) ? allSeeds.map { cloneName(name, seed: $0) } : [name] }
        for aggregate in aggregates {
            let role = aggregates.count == 1 ? "aggregate" : "aggregate_\(aggregate)"
            if rewired.inputs[role] == nil { rewired.inputs[role] = OutputRef(node: aggregate, output: aggregated.output) }
        }
        return rewired
    }

    /// `path` of a clone for `seed`: `experiments/<experiment>/X` → `experiments/<experiment>/seeds/<seed>/X`,
    /// `reports/<experiment>/X` → `reports/<experiment>/seeds/<seed>/X`, any other path under `experiments/<experiment>/seeds/<seed>/`.
    static func seededPath(_ path: String, experiment: String, seed: UInt64) -> String {
        for prefix in ["experiments/\(experiment)/", "reports/\(experiment)/"] where path.hasPrefix(prefix) {
            return prefix + "seeds/\(seed)/" + path.dropFirst(prefix.count)
        }
        return "experiments/\(experiment)/seeds/\(seed)/" + path
    }
}
