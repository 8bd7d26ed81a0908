import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

/// A random kind: writes its seed and its input's text, and logs each run to `ran.log`.
private struct SeededKind: StageKind {
    let name: String
    let output: String
    let version = 1
    let params: [ParamSpec] = [ParamSpec("note", .string)]
    let inputs: [InputSpec]? = [InputSpec("in", required: false)]
    var outputs: [String]? { [output] }
    let usesRandomness = true

    func run(_ context: StageContext) throws {
        let upstream = try context.inputs["in"].map { try String(contentsOf: $0, encoding: .utf8) } ?? ""
        context.metrics.record("score", step: 0, value: Double(context.seed))
        try "\(context.node) seed \(context.seed) [\(upstream.trimmingCharacters(in: .newlines))]\n"
            .write(to: context.outputs[output]!, atomically: false, encoding: .utf8)
        try RanLog.append(context.node, in: context.workspace)
    }
}

/// A random kind whose `seed` param, when set, replaces the pipeline seed (like `synth.world`).
private struct PinnableKind: StageKind {
    let name = "pinnable"
    let version = 1
    let params: [ParamSpec] = [ParamSpec("seed", .integer, default: .derived("the pipeline seed"))]
    let inputs: [InputSpec]? = []
    let outputs: [String]? = ["out"]
    let usesRandomness = true

    func run(_ context: StageContext) throws {
        let seed = context.params["seed"]?.intValue.map(UInt64.init) ?? context.seed
        try "world \(seed)\n".write(to: context.outputs["out"]!, atomically: false, encoding: .utf8)
        try RanLog.append(context.node, in: context.workspace)
    }
}

/// Stands in for `evaluate.aggregate`: concatenates its inputs by role.
private struct ConcatKind: StageKind {
    let name = "evaluate.aggregate"
    let version = 1
    let params: [ParamSpec] = []
    let inputs: [InputSpec]? = nil
    let outputs: [String]? = ["summary", "report"]

    func run(_ context: StageContext) throws {
        context.metrics.record("mean", step: 0, value: Double(context.inputs.count))
        let text = try context.inputs.keys.sorted().map { "\($0): " + (try String(contentsOf: context.inputs[$0]!, encoding: .utf8)) }.joined()
        try text.write(to: context.outputs["summary"]!, atomically: false, encoding: .utf8)
        try text.write(to: context.outputs["report"]!, atomically: false, encoding: .utf8)
        try RanLog.append(context.node, in: context.workspace)
    }
}

/// A catalog-reading view over any roles (like `report`): lists its input roles.
private struct ViewKind: StageKind {
    let name = "view"
    let version = 1
    let params: [ParamSpec] = []
    let inputs: [InputSpec]? = nil
    let outputs: [String]? = ["out"]
    let readsCatalog = true

    func run(_ context: StageContext) throws {
        try (context.inputs.keys.sorted().joined(separator: ",") + "\n").write(to: context.outputs["out"]!, atomically: false, encoding: .utf8)
        try RanLog.append(context.node, in: context.workspace)
    }
}

/// Appends node names to `ran.log` in the workspace.
private enum RanLog {
    static let lock = NSLock()

    static func append(_ node: String, in workspace: URL) throws {
        lock.lock()
        defer { lock.unlock() }
        let url = workspace.appendingPathComponent("ran.log")
        let old = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        try (old + node + "\n").write(to: url, atomically: false, encoding: .utf8)
    }
}

/// `"replicate"` and `--seeds`: the seeded nodes cloned per seed, the rest shared, an aggregate added, and adding a seed runs only it.
final class PipelineReplicateTests: XCTestCase {
    private static let registry = StageRegistry.builtIn.adding([SeededKind(name: "train", output: "out"), SeededKind(name: "evaluate", output: "summary"), PinnableKind(),
                                                                ConcatKind(), ViewKind()])

    /// world (pinned) → data (command) → train → evaluate → view; `tool` is a command that does not depend on the seed.
    private func pipeline(replicate: String?) -> String {
        #"""
        {"experiment": "r", "seed": 7,\#(replicate.map { " \"replicate\": \($0)," } ?? "") "nodes": {
          "world": {"kind": "pinnable", "params": {"seed": 1}, "outputs": {"out": "experiments/r/data/world.txt"}},
          "data": {"kind": "command", "inputs": {"in": "world"}, "params": {"cmd": "echo data >> ran.log; cp \"$RLHF_IN_IN\" \"$RLHF_OUT_OUT\""},
                   "outputs": {"out": "experiments/r/data/data.txt"}},
          "train": {"kind": "train", "inputs": {"in": "data"}, "params": {"note": "x"}, "outputs": {"out": "experiments/r/models/train.txt"}},
          "check": {"kind": "command", "inputs": {"in": "train"}, "params": {"cmd": "echo check-$RLHF_SEED >> ran.log; cp \"$RLHF_IN_IN\" \"$RLHF_OUT_OUT\""},
                    "outputs": {"out": "experiments/r/reports/check.txt"}},
          "evaluate": {"kind": "evaluate", "inputs": {"in": "check"}, "outputs": {"summary": "experiments/r/reports/final_eval.json"}},
          "view": {"kind": "view", "inputs": {"final": "evaluate", "data": "data"}, "outputs": {"out": "reports/r/index.txt"}}
        }}
        """#
    }

    private func load(_ text: String, seeds: [UInt64]? = nil) throws -> Pipeline {
        try PipelineLoader(registry: Self.registry, seeds: seeds).parse(bytes: Array(text.utf8), file: "pipeline.json")
    }

    func testSeededNodesAreClonedPerSeedTheRestSharedAndAnAggregateAdded() throws {
        let replicated = try load(pipeline(replicate: #"{"seeds": [11, 22]}"#))
        XCTAssertEqual(replicated.seeds, [11, 22])
        XCTAssertEqual(Set(replicated.nodes.keys), ["world", "data", "view", "evaluate_aggregate",
                                                  "train-seed11", "check-seed11", "evaluate-seed11", "train-seed22", "check-seed22", "evaluate-seed22"],
                       "the pinned world and the command on it are shared; train and everything below it are cloned; the view stays single")
        let train = try XCTUnwrap(replicated.nodes["train-seed22"])
        XCTAssertEqual(train.replica, Replica(base: "train", seed: 22))
        XCTAssertEqual(replicated.seed(of: train), 22)
        XCTAssertEqual(replicated.seed(of: replicated.nodes["world"]!), 7, "a shared node keeps the pipeline seed, so its key does not move")
        XCTAssertEqual(train.inputs["in"]?.node, "data", "a clone reads the shared node")
        XCTAssertEqual(replicated.nodes["check-seed22"]?.inputs["in"]?.node, "train-seed22", "and its own seed's clones")
        XCTAssertEqual(train.outputs["out"], "experiments/r/seeds/22/models/train.txt")
        XCTAssertEqual(replicated.nodes["evaluate-seed11"]?.outputs["summary"], "experiments/r/seeds/11/reports/final_eval.json")
        let aggregate = try XCTUnwrap(replicated.nodes["evaluate_aggregate"])
        XCTAssertEqual(aggregate.kind, "evaluate.aggregate")
        XCTAssertEqual(aggregate.inputs.mapValues(\.description), ["seed_11": "evaluate-seed11.summary", "seed_22": "evaluate-seed22.summary"],
                       "one input per seed")
        XCTAssertEqual(aggregate.outputs["summary"], "experiments/r/data/evaluate_aggregate/summary", "the aggregate kind's default path")
        let view = try XCTUnwrap(replicated.nodes["view"])
        XCTAssertEqual(view.inputs["final"]?.node, "evaluate-seed11", "the view reads the first seed's clone")
        XCTAssertEqual(view.inputs["aggregate"]?.node, "evaluate_aggregate", "and the aggregate")
        XCTAssertEqual(view.inputs["data"]?.node, "data")
        XCTAssertNotEqual(replicated.definitionHash, try load(pipeline(replicate: #"{"seeds": [11, 23]}"#)).definitionHash)
        XCTAssertTrue(DagRenderer.render(replicated, format: .text).contains("train-seed22 [train] (train, seed 22) ← in=data.out"),
                      DagRenderer.render(replicated, format: .text))

        let flagged = try load(pipeline(replicate: #"{"seeds": [11, 22]}"#), seeds: [5, 6, 7])
        XCTAssertEqual(flagged.seeds, [5, 6, 7], "--seeds replaces the file's seeds")
        XCTAssertNotNil(flagged.nodes["evaluate-seed7"])
        XCTAssertNotNil(try load(pipeline(replicate: nil), seeds: [5, 6]).nodes["train-seed6"], "--seeds replicates a file without the line")
        XCTAssertEqual(try load(pipeline(replicate: nil)).nodes.count, 6, "no replication without the line or the flag")

        let onlyEvaluate = try load(pipeline(replicate: #"{"seeds": [1, 2], "nodes": ["evaluate"]}"#))
        XCTAssertEqual(Set(onlyEvaluate.nodes.keys), ["world", "data", "train", "check", "view", "evaluate-seed1", "evaluate-seed2", "evaluate_aggregate"],
                       "a nodes list replicates only those nodes and what is below them")
    }

    func testAddingASeedRunsOnlyThatSeedsNodesAndTheAggregate() throws {
        let ws = try TestWorkspace(registry: Self.registry)
        try ws.write("pipeline.json", pipeline(replicate: nil))
        let plain = try ws.build()
        XCTAssertTrue(plain.succeeded, "\(plain.errors)")

        try ws.write("pipeline.json", pipeline(replicate: #"{"seeds": [7, 22]}"#))
        ws.clearRanLog()
        let first = try ws.build()
        XCTAssertTrue(first.succeeded, "\(first.errors)")
        XCTAssertEqual(Set(first.reused), ["train-seed7", "check-seed7", "evaluate-seed7"],
                       "seed 7 is the pipeline seed: its clones have the keys of the plain build's nodes and are served from the store")
        XCTAssertEqual(Set(first.built), ["train-seed22", "check-seed22", "evaluate-seed22", "evaluate_aggregate", "view"])
        XCTAssertEqual(ws.ranLog().sorted(), ["check-22", "evaluate-seed22", "evaluate_aggregate", "train-seed22", "view"], "each ran once")
        XCTAssertEqual(ws.read("experiments/r/seeds/22/reports/final_eval.json"),
                       "evaluate-seed22 seed 22 [train-seed22 seed 22 [world 1]]\n", "the clone ran with its seed on the shared data")
        XCTAssertEqual(ws.read("reports/r/index.txt"), "aggregate,data,final\n")
        let aggregate = try XCTUnwrap(ws.read("experiments/r/data/evaluate_aggregate/summary"))
        XCTAssertTrue(aggregate.hasPrefix("seed_22: evaluate-seed22 seed 22") && aggregate.contains("seed_7: evaluate seed 7"),
                      "seed 7's summary is the plain build's: \(aggregate)")
        let run = try XCTUnwrap(try ws.open().catalog.runs(node: "train-seed22").first)
        XCTAssertEqual(try ws.open().catalog.detail(run: run.id).run.seed, 22, "the catalog records the clone's seed")

        try ws.write("pipeline.json", pipeline(replicate: #"{"seeds": [7, 22, 33]}"#))
        ws.clearRanLog()
        let added = try ws.build()
        XCTAssertTrue(added.succeeded, "\(added.errors)")
        XCTAssertEqual(Set(added.built), ["train-seed33", "check-seed33", "evaluate-seed33", "evaluate_aggregate", "view"],
                       "only the new seed's nodes, the aggregate over them and the view that reads it")
        XCTAssertEqual(Set(added.upToDate), ["world", "data", "train-seed7", "check-seed7", "evaluate-seed7", "train-seed22", "check-seed22", "evaluate-seed22"])
        XCTAssertEqual(ws.ranLog().sorted(), ["check-33", "evaluate-seed33", "evaluate_aggregate", "train-seed33", "view"])
        XCTAssertEqual(try ws.build().built, [], "and then nothing")

        let table = try ExperimentTable(catalog: try ws.open().catalog, params: ["train.note"])
        XCTAssertEqual(table.rows.first?.params["train.note"], "\"x\"")
        let columns = try ExperimentTable(catalog: try ws.open().catalog).metricColumns
        XCTAssertEqual(Array(columns.prefix(2)), ["evaluate.score", "evaluate_aggregate.mean"], "clones' per-seed metrics come after: \(columns)")
        XCTAssertThrowsError(try ExperimentTable(catalog: try ws.open().catalog, params: ["train-seed22.note"]), "a clone's params are its node's")
    }

    func testBadReplicateSpecsNameTheJSONPathAndTheFix() throws {
        let cases: [(spec: String, path: String, words: String)] = [
            (#"{"seeds": []}"#, "replicate.seeds", "is empty; list at least 2 seeds"),
            (#"{"seeds": [11]}"#, "replicate.seeds", "list at least 2"),
            (#"{"seeds": [11, 22, 11]}"#, "replicate.seeds[2]", "duplicate seed 11 (also at replicate.seeds[0])"),
            (#"{"seeds": [11, "22"]}"#, "replicate.seeds[1]", "found string \"22\"; write it as a JSON number"),
            (#"{"seeds": [11, 2.5]}"#, "replicate.seeds[1]", "must be a non-negative integer seed"),
            (#"{"seeds": [11, -3]}"#, "replicate.seeds[1]", "found -3"),
            (#"{"seeds": 11}"#, "replicate.seeds", "must be an array of integer seeds"),
            (#"{}"#, "replicate.seeds", "missing; add \"seeds\": [11, 22, 33]"),
            (#"[11, 22]"#, "replicate", "must be an object such as {\"seeds\": [11, 22, 33]}"),
            (#"{"seeds": [1, 2], "sedes": 1}"#, "replicate.sedes", "unknown key; expected one of nodes, seeds"),
            (#"{"seeds": [1, 2], "nodes": ["data"]}"#, "replicate.nodes[0]", "node 'data' (kind 'command') cannot be seeded: its kind does not use the seed; name one of train, evaluate"),
            (#"{"seeds": [1, 2], "nodes": ["world"]}"#, "replicate.nodes[0]", "cannot be seeded: it pins nodes.world.params.seed; remove that param"),
            (#"{"seeds": [1, 2], "nodes": ["nosuch"]}"#, "replicate.nodes[0]", "refers to missing node 'nosuch'"),
            (#"{"seeds": [1, 2], "nodes": []}"#, "replicate.nodes", "must be a non-empty array of node names"),
        ]
        for item in cases {
            XCTAssertThrowsError(try load(pipeline(replicate: item.spec)), item.spec) { error in
                guard case let EngineError.invalidPipeline(file, issues) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(file, "pipeline.json")
                XCTAssertEqual(issues.first?.path, item.path, "\(item.spec): \(issues)")
                XCTAssertTrue(issues.first?.message.contains(item.words) == true, "\(item.spec): \(issues)")
            }
        }
        XCTAssertThrowsError(try load(pipeline(replicate: nil), seeds: [3, 3])) { error in
            XCTAssertTrue("\(error)".contains("--seeds[1]") && "\(error)".contains("duplicate seed 3"), "\(error)")
        }
        let clash = pipeline(replicate: #"{"seeds": [1, 2]}"#).replacingOccurrences(of: #""view": {"#, with: #""train-seed2": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"out": "x.txt"}}, "view": {"#)
        XCTAssertThrowsError(try load(clash)) { error in
            XCTAssertTrue("\(error)".contains("nodes.train-seed2") && "\(error)".contains("rename the node"), "\(error)")
        }
        let noRandom = #"{"experiment": "n", "replicate": {"seeds": [1, 2]}, "nodes": {"c": {"kind": "command", "params": {"cmd": "true"}, "outputs": {"out": "c.txt"}}}}"#
        XCTAssertThrowsError(try load(noRandom)) { error in
            XCTAssertTrue("\(error)".contains("no node takes the pipeline seed"), "\(error)")
        }
    }
}
