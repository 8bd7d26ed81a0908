import XCTest
import Foundation
@testable import Engine
@testable import EngineCore

/// `"extends"`: a pipeline written as the changes to another one.
final class PipelineExtendsTests: XCTestCase {
    private let base = #"""
    {"experiment": "base", "seed": 7, "nodes": {
      "text": {"kind": "file", "params": {"path": "t.txt"}},
      "copy": {"kind": "command", "inputs": {"in": "text"}, "params": {"cmd": "cp \"$RLHF_IN_IN\" \"$RLHF_OUT_OUT\"", "note": "base", "drop": 1},
               "outputs": {"out": "experiments/base/data/copy.txt"}},
      "extra": {"kind": "command", "inputs": {"in": "copy"}, "params": {"cmd": "true"}, "outputs": {"out": "experiments/base/data/extra.txt"}}
    }}
    """#

    func testMergeOverridesParamsAddsAndRemovesNodesAndRebasesOutputs() throws {
        let ws = try TestWorkspace()
        try ws.write("pipeline.json", base)
        try ws.write("experiments/v/pipeline.json", #"""
        {"extends": "../../pipeline.json", "experiment": "v", "nodes": {
          "copy": {"params": {"note": "variant", "drop": null}},
          "extra": null,
          "more": {"kind": "command", "inputs": {"in": "copy"}, "params": {"cmd": "true"}}
        }}
        """#)
        let pipeline = try PipelineLoader(registry: .builtIn).load(path: ws.path("experiments/v/pipeline.json"))
        XCTAssertEqual(pipeline.experiment, "v")
        XCTAssertEqual(pipeline.seed, 7, "inherited")
        XCTAssertEqual(Set(pipeline.nodes.keys), ["text", "copy", "more"])
        XCTAssertEqual(pipeline.nodes["copy"]?.params["note"], .string("variant"))
        XCTAssertNil(pipeline.nodes["copy"]?.params["drop"], "null removes a param")
        XCTAssertNotNil(pipeline.nodes["copy"]?.params["cmd"])
        XCTAssertEqual(pipeline.nodes["copy"]?.outputs["out"], "experiments/v/data/copy.txt", "inherited outputs move to the variant")
        XCTAssertEqual(pipeline.nodes["copy"]?.inputs["in"]?.node, "text")
    }

    func testIssuesNameTheFileThatWroteTheValue() throws {
        let ws = try TestWorkspace()
        try ws.write("pipeline.json", base)
        try ws.write("v.json", #"{"extends": "pipeline.json", "experiment": "v", "nodes": {"copy": {"inputs": {"in": "nosuch"}}}}"#)
        XCTAssertThrowsError(try PipelineLoader(registry: .builtIn).load(path: ws.path("v.json"))) { error in
            guard case let EngineError.invalidPipeline(file, issues) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("/v.json"), file)
            XCTAssertEqual(issues.map(\.path), ["nodes.copy.inputs.in"])
        }
        try ws.write("bad.json", #"{"experiment": "b", "nodes": {"x": {"kind": "nosuch"}}}"#)
        try ws.write("w.json", #"{"extends": "bad.json", "experiment": "w"}"#)
        XCTAssertThrowsError(try PipelineLoader(registry: .builtIn).load(path: ws.path("w.json"))) { error in
            guard case let EngineError.invalidPipeline(file, issues) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("/bad.json"), "the base wrote the bad kind: \(file)")
            XCTAssertEqual(issues.first?.path, "nodes.x.kind")
        }
    }

    func testCyclesAndMissingBasesAreClearErrors() throws {
        let ws = try TestWorkspace()
        try ws.write("a.json", #"{"extends": "b.json", "experiment": "a"}"#)
        try ws.write("b.json", #"{"extends": "a.json", "experiment": "b"}"#)
        XCTAssertThrowsError(try PipelineLoader(registry: .builtIn).load(path: ws.path("a.json"))) { error in
            XCTAssertTrue("\(error)".contains("extends itself"), "\(error)")
        }
        try ws.write("c.json", #"{"extends": "nosuch.json", "experiment": "c"}"#)
        XCTAssertThrowsError(try PipelineLoader(registry: .builtIn).load(path: ws.path("c.json"))) { error in
            XCTAssertTrue("\(error)".contains("nosuch.json"), "\(error)")
        }
        try ws.write("d.json", #"{"extends": 3, "experiment": "d"}"#)
        XCTAssertThrowsError(try PipelineLoader(registry: .builtIn).load(path: ws.path("d.json"))) { error in
            guard case let EngineError.invalidPipeline(_, issues) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(issues.map(\.path), ["extends"])
        }
    }
}

/// `rlhf build --set`: a one-off variant recorded in the catalog under its own experiment name.
final class ParamSettingVariantTests: XCTestCase {
    func testSetBuildsANamedVariantThatTheCatalogAndTheTableShow() throws {
        let ws = try TestWorkspace()
        try ws.write("t.txt", "hello")
        try ws.write("pipeline.json", #"""
        {"experiment": "base", "nodes": {
          "text": {"kind": "file", "params": {"path": "t.txt"}},
          "copy": {"kind": "command", "inputs": {"in": "text"}, "params": {"cmd": "cp \"$RLHF_IN_IN\" \"$RLHF_OUT_OUT\"", "n": 1},
                   "outputs": {"out": "experiments/base/data/copy.txt"}}
        }}
        """#)
        try ws.build()
        let loader = PipelineLoader(registry: .builtIn)
        let settings = [try ParamSetting(parsing: "copy.n=2")]
        XCTAssertEqual(settings.first?.value, .int(2))
        XCTAssertEqual(try ParamSetting(parsing: "copy.label=plain text").value, .string("plain text"))
        XCTAssertThrowsError(try ParamSetting(parsing: "copy=2"))
        XCTAssertThrowsError(try loader.load(path: ws.path("pipeline.json"), settings: [try ParamSetting(parsing: "nosuch.n=2")]))

        let variant = try loader.load(path: ws.path("pipeline.json"), settings: settings)
        XCTAssertTrue(variant.experiment.hasPrefix("base-set-"), variant.experiment)
        XCTAssertEqual(variant.nodes["copy"]?.outputs["out"], "experiments/\(variant.experiment)/data/copy.txt", "never overwrites the base's outputs")
        XCTAssertEqual(try loader.load(path: ws.path("pipeline.json"), settings: settings).experiment, variant.experiment, "the same settings, the same name")
        let named = try loader.load(path: ws.path("pipeline.json"), settings: settings, variant: "n2")
        XCTAssertEqual(named.experiment, "n2")

        let summary = try Executor(workspace: try ws.open(), pipeline: named, registry: .builtIn, output: { _ in }).build(BuildOptions())
        XCTAssertTrue(summary.built.contains("copy"))
        XCTAssertEqual(try ws.build().built, [], "back on the base, nothing is stale")
        let catalog = try ws.open().catalog
        XCTAssertEqual(try catalog.runs(node: "copy", experiment: "n2").count, 1)
        let table = try ExperimentTable(catalog: catalog)
        XCTAssertEqual(table.rows.map(\.experiment), ["base", "n2"])
        XCTAssertEqual(table.paramColumns, ["copy.n"])
        XCTAssertEqual(table.rows.map { $0.params["copy.n"] }, ["1", "2"])
        XCTAssertThrowsError(try loader.load(path: ws.path("pipeline.json"), settings: [try ParamSetting(parsing: "copy.cmd=3")])) { error in
            guard case let EngineError.invalidPipeline(_, issues) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(issues.map(\.path), ["nodes.copy.params.cmd"])
            XCTAssertTrue("\(error)".contains("--set copy.cmd"), "the error names where the value was written: \(error)")
        }
    }
}
