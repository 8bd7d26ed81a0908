import XCTest
@testable import Engine
@testable import EngineCore

/// In-memory facts: the planner is tested without touching disk.
private struct MemoryFacts: PlannerFacts {
    var heads: [String: RunSummary] = [:]
    var cache: [ContentHash: RunSummary] = [:]
    var files: [String: ContentHash] = [:]

    func head(of node: String) -> RunSummary? { heads[node] }
    func reusableRun(key: ContentHash) -> RunSummary? { cache[key] }
    func currentHash(of path: String) -> ContentHash? { files[path] }
}

final class PlannerTests: XCTestCase {
    private let pipeline: Pipeline = {
        let json = """
        {"experiment": "p", "seed": 1, "nodes": {
          "src": {"kind": "file", "params": {"path": "in.txt"}},
          "step": {"kind": "command", "inputs": {"data": "src"}, "params": {"cmd": "cp", "lr": 0.1}, "outputs": {"out": "o.txt"}},
          "tail": {"kind": "command", "inputs": {"data": "step"}, "params": {"cmd": "cp"}, "outputs": {"out": "t.txt"}}
        }}
        """
        return try! PipelineLoader(registry: .builtIn).parse(bytes: Array(json.utf8), file: "p.json")
    }()

    private let h1 = ContentHash.of(text: "one"), h2 = ContentHash.of(text: "two"), h3 = ContentHash.of(text: "three")

    private var planner: Planner { Planner(pipeline: pipeline, registry: .builtIn) }

    /// Facts for a fully built pipeline where src=h1, step.out=h2, tail.out=h3.
    private func builtFacts() -> MemoryFacts {
        var facts = MemoryFacts()
        facts.files = ["in.txt": h1, "o.txt": h2, "t.txt": h3]
        let kind = CommandKind()
        let srcKey = planner.key(node: pipeline.nodes["src"]!, kind: FileKind(), inputs: ["source": h1])
        facts.heads["src"] = RunSummary(runId: 1, node: "src", key: srcKey, kindVersion: FileKind().version, params: pipeline.nodes["src"]!.params, seed: nil,
                                        inputs: [:], outputs: ["file": h1])
        let stepKey = planner.key(node: pipeline.nodes["step"]!, kind: kind, inputs: ["data": h1])
        facts.heads["step"] = RunSummary(runId: 2, node: "step", key: stepKey, kindVersion: kind.version, params: pipeline.nodes["step"]!.params, seed: nil,
                                         inputs: ["data": h1], outputs: ["out": h2])
        let tailKey = planner.key(node: pipeline.nodes["tail"]!, kind: kind, inputs: ["data": h2])
        facts.heads["tail"] = RunSummary(runId: 3, node: "tail", key: tailKey, kindVersion: kind.version, params: pipeline.nodes["tail"]!.params, seed: nil,
                                         inputs: ["data": h2], outputs: ["out": h3])
        return facts
    }

    func testEmptyCatalogMeansNeverBuilt() {
        var facts = MemoryFacts()
        facts.files = ["in.txt": h1]
        let plan = planner.plan(nodes: pipeline.order, facts: facts, forced: [])
        XCTAssertEqual(plan.entries.map(\.decision), [.run(.neverBuilt), .run(.neverBuilt), .run(.neverBuilt)])
    }

    func testBuiltPipelineIsUpToDate() {
        let plan = planner.plan(nodes: pipeline.order, facts: builtFacts(), forced: [])
        XCTAssertEqual(plan.toRun, [])
        XCTAssertEqual(plan.entries.map(\.decision), [.upToDate, .upToDate, .upToDate])
    }

    func testChangedSourceGivesInputChangedDownstream() {
        var facts = builtFacts()
        facts.files["in.txt"] = h3
        let plan = planner.plan(nodes: pipeline.order, facts: facts, forced: [])
        XCTAssertEqual(plan["src"]?.decision, .run(.inputChanged(role: "source", upstream: "in.txt")))
        XCTAssertEqual(plan["step"]?.decision, .run(.inputChanged(role: "data", upstream: "src")))
        XCTAssertEqual(plan["tail"]?.decision, .run(.inputChanged(role: "data", upstream: "step")))
    }

    func testDefinitionChangeListsParamsAndOutranksInputChange() {
        var facts = builtFacts()
        facts.files["in.txt"] = h3
        var head = facts.heads["step"]!
        var params = head.params
        params["lr"] = .double(0.5)
        head.canonicalParams = JSONValue.object(params).canonical
        facts.heads["step"] = head
        let plan = planner.plan(nodes: pipeline.order, facts: facts, forced: [])
        XCTAssertEqual(plan["step"]?.decision, .run(.definitionChanged(changed: ["params.lr"])))
    }

    func testMissingOutputIsReusedFromStoreOrRebuilt() {
        var facts = builtFacts()
        facts.files["o.txt"] = nil
        XCTAssertEqual(planner.plan(nodes: pipeline.order, facts: facts, forced: [])["step"]?.decision, .run(.outputMissing(output: "out")))
        facts.cache[facts.heads["step"]!.key] = facts.heads["step"]!
        XCTAssertEqual(planner.plan(nodes: pipeline.order, facts: facts, forced: [])["step"]?.decision, .reuse(runId: 2))
        XCTAssertEqual(planner.plan(nodes: pipeline.order, facts: facts, forced: [])["tail"]?.decision, .upToDate)
    }

    func testForcedComesLast() {
        let plan = planner.plan(nodes: pipeline.order, facts: builtFacts(), forced: ["step"])
        XCTAssertEqual(plan["step"]?.decision, .run(.forced))
        XCTAssertEqual(plan["tail"]?.decision, .run(.inputChanged(role: "data", upstream: "step")))
        XCTAssertTrue(RebuildReason.neverBuilt < .definitionChanged(changed: []))
        XCTAssertTrue(RebuildReason.outputMissing(output: "o") < .forced)
    }

    func testEarlyCutoffWhenUpstreamOutputUnchanged() {
        let facts = builtFacts()
        let decision = planner.decide(node: pipeline.nodes["tail"]!, inputs: ["data": h2], forced: false, facts: facts)
        XCTAssertEqual(decision.decision, .upToDate)
    }

    func testKeyIgnoresParamOrderButNotValues() {
        var node = pipeline.nodes["step"]!
        let base = planner.key(node: node, kind: CommandKind(), inputs: ["data": h1])
        node.params = ["lr": .double(0.1), "cmd": .string("cp")]
        XCTAssertEqual(planner.key(node: node, kind: CommandKind(), inputs: ["data": h1]), base)
        node.params["lr"] = .double(0.2)
        XCTAssertNotEqual(planner.key(node: node, kind: CommandKind(), inputs: ["data": h1]), base)
        XCTAssertNotEqual(planner.key(node: pipeline.nodes["step"]!, kind: CommandKind(), inputs: ["data": h2]), base)
    }
}
