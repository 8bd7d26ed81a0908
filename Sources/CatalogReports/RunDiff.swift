import Charts
import Engine
import EngineCore
import Foundation
import Report

/// `rlhf diff A B`: params that differ, metrics side by side with deltas, and upstream artifacts that differ.
public struct RunDiff: Codable, Sendable {
    /// A param whose value differs (or exists on one side only).
    public struct ParamChange: Codable, Sendable, Equatable {
        /// `param` for two runs, `node.param` for experiments.
        public var name: String
        /// Canonical JSON on side A (nil: absent).
        public var a: String?
        /// Canonical JSON on side B (nil: absent).
        public var b: String?
    }

    /// A metric's last value on each side.
    public struct MetricRow: Codable, Sendable, Equatable {
        /// `metric` or `node.metric`.
        public var name: String
        /// Last value on side A.
        public var a: Double?
        /// Last value on side B.
        public var b: Double?
        /// b − a when both exist.
        public var delta: Double?
    }

    /// An upstream (or output) artifact that differs.
    public struct ArtifactChange: Codable, Sendable, Equatable {
        /// `node.role` (an input in the trace) or `node.output`.
        public var name: String
        /// Hash on side A (nil: absent).
        public var a: String?
        /// Hash on side B (nil: absent).
        public var b: String?
    }

    /// Operand A as given.
    public var a: String
    /// Operand B as given.
    public var b: String
    /// Runs on side A by node.
    public var runsA: [String: Int64]
    /// Runs on side B by node.
    public var runsB: [String: Int64]
    /// Params that differ.
    public var params: [ParamChange]
    /// Every metric on either side.
    public var metrics: [MetricRow]
    /// Artifacts that differ.
    public var artifacts: [ArtifactChange]

    /// Compares two operands: run ids (`12`), a node at a catalog point (`sft@12`: its newest run with id ≤ 12),
    /// or experiment names (each node's current run in `experiments/<name>/pipeline.json` or the root pipeline).
    public init(_ a: String, _ b: String, workspace: Workspace, registry: StageRegistry) throws {
        let sideA = try DiffSide(a, workspace: workspace, registry: registry)
        let sideB = try DiffSide(b, workspace: workspace, registry: registry)
        let prefixed = sideA.isExperiment || sideB.isExperiment
        self.a = a
        self.b = b
        runsA = sideA.runs.mapValues(\.run.id!)
        runsB = sideB.runs.mapValues(\.run.id!)
        let paramsA = sideA.params(prefixed: prefixed), paramsB = sideB.params(prefixed: prefixed)
        params = Set(paramsA.keys).union(paramsB.keys).sorted().compactMap { name in
            paramsA[name] == paramsB[name] ? nil : ParamChange(name: name, a: paramsA[name], b: paramsB[name])
        }
        let metricsA = sideA.lastMetrics(prefixed: prefixed), metricsB = sideB.lastMetrics(prefixed: prefixed)
        metrics = Set(metricsA.keys).union(metricsB.keys).sorted().map { name in
            let x = metricsA[name], y = metricsB[name]
            return MetricRow(name: name, a: x, b: y, delta: x.flatMap { x in y.map { $0 - x } })
        }
        let artifactsA = try sideA.artifacts(workspace), artifactsB = try sideB.artifacts(workspace)
        artifacts = Set(artifactsA.keys).union(artifactsB.keys).sorted().compactMap { name in
            artifactsA[name] == artifactsB[name] ? nil : ArtifactChange(name: name, a: artifactsA[name], b: artifactsB[name])
        }
    }

    /// The diff as text tables.
    public func text() -> [String] {
        var lines = ["A: \(a)  (\(Self.runs(runsA)))", "B: \(b)  (\(Self.runs(runsB)))", ""]
        lines.append(params.isEmpty ? "params: identical" : "params that differ:")
        lines += Self.columns(params.map { [$0.name, $0.a ?? "–", $0.b ?? "–"] }, header: ["PARAM", "A", "B"])
        lines.append("")
        lines.append(metrics.isEmpty ? "metrics: none recorded" : "metrics (last value):")
        lines += Self.columns(metrics.map { [$0.name, $0.a.map { Markup.number($0, digits: 4) } ?? "–", $0.b.map { Markup.number($0, digits: 4) } ?? "–",
                                             $0.delta.map { ($0 > 0 ? "+" : "") + Markup.number($0, digits: 4) } ?? "–"] }, header: ["METRIC", "A", "B", "Δ (B−A)"])
        lines.append("")
        lines.append(artifacts.isEmpty ? "upstream artifacts: identical" : "upstream artifacts that differ:")
        lines += Self.columns(artifacts.map { [$0.name, $0.a.map { String($0.prefix(12)) } ?? "–", $0.b.map { String($0.prefix(12)) } ?? "–"] }, header: ["ARTIFACT", "A", "B"])
        return lines
    }

    private static func runs(_ runs: [String: Int64]) -> String {
        runs.count == 1 ? "\(runs.first!.key) run \(runs.first!.value)" : "\(runs.count) runs"
    }

    private static func columns(_ rows: [[String]], header: [String]) -> [String] {
        guard !rows.isEmpty else { return [] }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        return ([header] + rows).map { row in
            "  " + row.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}

/// One side of a diff: the runs it stands for, by node.
struct DiffSide {
    /// Run details by node.
    var runs: [String: RunDetail]
    /// Whether the operand was an experiment (keys then carry the node name).
    var isExperiment: Bool
    /// The node each replicated clone copies (`ppo-seed11` → `ppo`); their params are keyed by it, as they are equal across seeds.
    var bases: [String: String] = [:]

    /// Resolves `operand` (see `RunDiff.init`).
    init(_ operand: String, workspace: Workspace, registry: StageRegistry) throws {
        let catalog = workspace.catalog
        if let id = Int64(operand) {
            let detail = try catalog.detail(run: id)
            runs = [detail.run.node: detail]
            isExperiment = false
            return
        }
        if let at = operand.firstIndex(of: "@"), let point = Int64(operand[operand.index(after: at)...]) {
            let node = String(operand[..<at])
            guard let run = try catalog.runs(node: node).first(where: { $0.id <= point }) else {
                throw ReportError.unknownTarget(operand, hint: "node \(node) has no run at or before run \(point); see `rlhf runs`")
            }
            runs = [node: try catalog.detail(run: run.id)]
            isExperiment = false
            return
        }
        let candidates = ["experiments/\(operand)/pipeline.json", "pipeline.json"]
        let loader = PipelineLoader(registry: registry)
        guard let pipeline = candidates.lazy.compactMap({ path -> Pipeline? in
            guard FileManager.default.fileExists(atPath: workspace.absolute(path)), let pipeline = try? loader.load(path: workspace.absolute(path)) else { return nil }
            return pipeline.experiment == operand ? pipeline : nil
        }).first else {
            // A `--set` variant (or an experiment whose file is gone) has only its catalog heads.
            let heads = try catalog.heads(experiment: operand)
            guard !heads.isEmpty else {
                throw ReportError.unknownTarget(operand, hint: "give a run id, node@run, or an experiment with experiments/\(operand)/pipeline.json or runs in the catalog")
            }
            runs = try heads.mapValues { try catalog.detail(run: $0.runId) }
            isExperiment = true
            return
        }
        let hasher = FileHasher()
        let heads = try catalog.heads(experiment: pipeline.experiment)
        var found: [String: RunDetail] = [:]
        for name in pipeline.order {
            guard let node = pipeline.nodes[name] else { continue }
            let run = node.outputs.sorted { $0.key < $1.key }.lazy.compactMap { _, path -> Int64? in
                guard let hash = try? hasher.hash(path: workspace.absolute(path)) else { return nil }
                return try? catalog.producer(ofArtifact: hash.hex, path: path)
            }.first ?? heads[name]?.runId
            if let run { found[name] = try catalog.detail(run: run) }
        }
        runs = found
        isExperiment = true
        bases = pipeline.nodes.compactMapValues { $0.replica?.base }
    }

    /// Params as canonical JSON by name (`node.param` for experiments, a clone under the node it copies).
    func params(prefixed: Bool) -> [String: String] {
        var result: [String: String] = [:]
        for (node, detail) in runs {
            for (name, value) in detail.params { result[prefixed ? "\(bases[node] ?? node).\(name)" : name] = value }
        }
        return result
    }

    /// The value at the highest step of every metric.
    func lastMetrics(prefixed: Bool) -> [String: Double] {
        var result: [String: (step: Int, value: Double)] = [:]
        for (node, detail) in runs {
            for point in detail.metrics {
                let name = prefixed ? "\(node).\(point.name)" : point.name
                if let known = result[name], known.step > point.step { continue }
                result[name] = (point.step, point.value)
            }
        }
        return result.mapValues(\.value)
    }

    /// Upstream inputs from the trace (`node.role`) and the sides' own outputs (`node.output`).
    func artifacts(_ workspace: Workspace) throws -> [String: String] {
        var result: [String: String] = [:]
        func walk(_ tree: TraceTree) {
            for input in tree.inputs {
                result["\(tree.run.node).\(input.role)"] = input.artifact
                if let producer = input.producer { walk(producer) }
            }
        }
        for (node, detail) in runs {
            walk(try workspace.catalog.traceUp(run: detail.run.id!))
            for output in detail.outputs { result["\(node).\(output.name)"] = output.artifact }
        }
        return result
    }
}
