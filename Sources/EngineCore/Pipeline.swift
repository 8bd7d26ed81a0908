import Foundation

/// A reference from a node input to an upstream node's named output.
public struct OutputRef: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Upstream node name.
    public var node: String
    /// Output name on that node.
    public var output: String

    /// `node.output`.
    public var description: String { "\(node).\(output)" }
}

/// One validated node of a pipeline.
public struct Node: Sendable {
    /// Node name (the key under `nodes`).
    public var name: String
    /// Kind name, registered in the `StageRegistry`.
    public var kind: String
    /// Input role → upstream output.
    public var inputs: [String: OutputRef]
    /// Params as written (a JSON object).
    public var params: [String: JSONValue]
    /// Output name → workspace-relative path where it is materialised.
    public var outputs: [String: String]
    /// Order-only predecessors: run after them without consuming their outputs.
    public var after: [String]
    /// Where the node runs (`"executor"`: `local`, `slurm`, `ray`); nil means the build's `--executor`. Not in the key.
    public var executor: String? = nil
    /// What the backend should reserve (`"resources"`: cpus, gpus, memory, time, partition, retries). Not in the key.
    public var resources: [String: JSONValue] = [:]
    /// The node this one replicates and the seed it runs with (`"replicate"`), nil for a node of the pipeline as written.
    public var replica: Replica? = nil

    /// Every upstream node: input producers and `after` nodes, sorted and unique.
    public var dependencies: [String] {
        Array(Set(inputs.values.map(\.node)).union(after)).sorted()
    }

    /// Input roles starting with this prefix (`gate_leak`) take a gate's outcome into the key of
    /// any kind without being declared; stages do not read them (they stay in `context.inputs`).
    public static let gateRolePrefix = "gate_"

    /// Whether `role` is an undeclared gate-verdict input (`gate_<name>`).
    public static func isGateRole(_ role: String) -> Bool {
        role.hasPrefix(gateRolePrefix) && role.count > gateRolePrefix.count
    }

    /// The params as one canonical JSON object string.
    public var canonicalParams: String {
        JSONValue.object(params).canonical
    }
}

/// A clone of a node made by `"replicate"`: the node written in `pipeline.json` and the seed this clone runs with.
public struct Replica: Hashable, Sendable {
    /// The node as written (e.g. `ppo` for `ppo-seed11`).
    public var base: String
    /// The seed the clone's random kinds use instead of the pipeline seed (it enters the node key).
    public var seed: UInt64

    /// The name of `base`'s clone for `seed`: `ppo-seed11`.
    public static func name(of base: String, seed: UInt64) -> String {
        "\(base)-seed\(seed)"
    }

    /// The node a run of `node` with recorded `seed` is a clone of (`ppo-seed11` run with seed 11 → `ppo`), or nil when it is not one.
    public static func base(ofRunNode node: String, seed: UInt64?) -> String? {
        guard let seed, node.hasSuffix("-seed\(seed)"), node.count > "-seed\(seed)".count else { return nil }
        return String(node.dropLast("-seed\(seed)".count))
    }
}

/// A validated pipeline: the experiment DAG from `pipeline.json`.
public struct Pipeline: Sendable {
    /// Experiment name.
    public var experiment: String
    /// Seed for kinds that use randomness.
    public var seed: UInt64
    /// Nodes by name.
    public var nodes: [String: Node]
    /// Node names in a deterministic topological order (dependencies first).
    public var order: [String]
    /// The file it was loaded from (absolute), when loaded from one; no output may overwrite it.
    public var file: String?
    /// The seeds of `"replicate"` (or `--seeds`) in the order written; empty when the pipeline is not replicated.
    public var seeds: [UInt64] = []

    /// The seed `node`'s random kind runs with and keys on: its replica's seed, else the pipeline seed.
    public func seed(of node: Node) -> UInt64 {
        node.replica?.seed ?? seed
    }

    /// The nodes `targets` need (targets and everything upstream), in topological order.
    /// - Complexity: O(nodes + edges).
    public func closure(of targets: [String]) -> [String] {
        var needed = Set<String>()
        var stack = targets
        while let name = stack.popLast() {
            guard needed.insert(name).inserted, let node = nodes[name] else { continue }
            stack.append(contentsOf: node.dependencies)
        }
        return order.filter(needed.contains)
    }

    /// The nodes below `roots` (excluding the roots), in topological order.
    public func downstream(of roots: Set<String>) -> [String] {
        var below = Set<String>()
        for name in order {
            guard let node = nodes[name] else { continue }
            if node.dependencies.contains(where: { roots.contains($0) || below.contains($0) }) { below.insert(name) }
        }
        return order.filter(below.contains)
    }

    /// Direct consumers of each node.
    public var consumers: [String: [String]] {
        var table: [String: [String]] = [:]
        for name in order {
            for dependency in nodes[name]!.dependencies { table[dependency, default: []].append(name) }
        }
        return table
    }

    /// The node whose declared output (or `file` source) lives at workspace path `path`.
    public func producer(ofPath path: String) -> (node: String, output: String)? {
        for name in order {
            for (output, outputPath) in nodes[name]!.outputs where outputPath == path { return (name, output) }
        }
        return nil
    }
}
