import XCTest
@testable import EngineCore

/// A kind with every sort of param constraint and one cross-field rule.
private struct DeclaringKind: StageKind {
    let name = "declaring"
    let version = 1
    let summary = "a test kind"
    let params = [
        ParamSpec("rate", .number, default: .value(.double(0.1)), range: 0...1, summary: "a rate"),
        ParamSpec("count", .integer, default: .value(.int(4)), range: 1...8),
        ParamSpec("mode", .string, default: .value(.string("fixed")), allowed: ["fixed", "adaptive"]),
        ParamSpec("target", .number, range: 0...100, summary: "only with mode adaptive"),
        ParamSpec("temperatures", .array, range: 0...10, elements: .number, nonEmpty: true),
        ParamSpec("model", .object, fields: [ParamSpec("width", .integer, range: 2...64), ParamSpec("name", .string, required: true)]),
    ]
    let rules = [ParamRule("target only with mode adaptive") { params, _ in
        guard params["target"] != nil, params["mode"]?.stringValue != "adaptive" else { return [] }
        return [ValidationIssue(path: "params.target", message: "only applies with mode adaptive")]
    }]
    let inputs: [InputSpec]? = [InputSpec("data", format: "some JSONL")]
    let outputs: [String]? = ["out"]

    func run(_ context: StageContext) throws {}
}

/// Param declarations are checked at load: type, range, allowed values, array elements, object keys and
/// cross-field rules, every problem at once with its JSON path.
final class ParamDeclarationTests: XCTestCase {
    private let registry = StageRegistry.builtIn.adding([DeclaringKind()])

    private func issues(_ params: String) -> [String: String] {
        let json = #"""
        {"experiment": "x", "nodes": {
          "src": {"kind": "file", "params": {"path": "d.jsonl"}},
          "n": {"kind": "declaring", "inputs": {"data": "src"}, "params": \#(params)}
        }}
        """#
        do {
            _ = try PipelineLoader(registry: registry).parse(bytes: Array(json.utf8), file: "pipeline.json")
            return [:]
        } catch let EngineError.invalidPipeline(_, issues) {
            return Dictionary(issues.map { ($0.path, $0.message) }, uniquingKeysWith: { $0 + " | " + $1 })
        } catch {
            XCTFail("\(error)")
            return [:]
        }
    }

    func testValidParamsLoad() {
        XCTAssertEqual(issues(#"{"rate": 1, "count": 8, "mode": "adaptive", "target": 6, "temperatures": [0.5, 1], "model": {"name": "m", "width": 2}}"#), [:])
        XCTAssertEqual(issues("{}"), [:], "every param is optional and defaults apply")
    }

    func testEveryProblemIsReportedAtOnceWithItsPath() {
        let found = issues(#"{"rate": 5, "count": 2.5, "mode": "sometimes", "temperatures": [1, 11, "x"], "model": {"width": 1, "extra": true}}"#)
        XCTAssertEqual(found, [
            "nodes.n.params.rate": "5 is outside [0, 1]",
            "nodes.n.params.count": "must be integer, found number",
            "nodes.n.params.mode": "must be one of fixed, adaptive, found \"sometimes\"",
            "nodes.n.params.temperatures[1]": "11 is outside [0, 10]",
            "nodes.n.params.temperatures[2]": "must be number, found string",
            "nodes.n.params.model.name": "missing required string",
            "nodes.n.params.model.width": "1 is outside [2, 64]",
            "nodes.n.params.model.extra": "unknown key; known: width, name",
        ])
        XCTAssertEqual(issues(#"{"temperatures": []}"#), ["nodes.n.params.temperatures": "must hold at least one element"])
    }

    func testCrossFieldRuleRunsBesideOtherProblems() {
        XCTAssertEqual(issues(#"{"target": 3}"#), ["nodes.n.params.target": "only applies with mode adaptive"])
        XCTAssertEqual(issues(#"{"target": 3, "mode": "adaptive"}"#), [:])
        // An invalid param elsewhere does not hide the rule; an invalid param the rule reads is not reported twice.
        XCTAssertEqual(issues(#"{"target": 3, "rate": 5}"#), ["nodes.n.params.target": "only applies with mode adaptive",
                                                               "nodes.n.params.rate": "5 is outside [0, 1]"])
        XCTAssertEqual(issues(#"{"target": 300}"#), ["nodes.n.params.target": "300 is outside [0, 100]"])
    }

    func testKindDescriptionListsTheDeclarations() throws {
        let description = KindDescription(DeclaringKind())
        let text = description.text
        XCTAssertTrue(text.hasPrefix("declaring (version 1): a test kind"), text)
        XCTAssertTrue(text.contains("data             required  some JSONL"), text)
        XCTAssertTrue(text.contains("rate                     number in [0, 1]; default 0.1"), text)
        XCTAssertTrue(text.contains("mode                     string: fixed | adaptive; default \"fixed\""), text)
        XCTAssertTrue(text.contains("target only with mode adaptive"), text)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(description)) as? [String: Any]
        let params = try XCTUnwrap(json?["params"] as? [[String: Any]])
        XCTAssertEqual(params.map { $0["name"] as? String }, ["rate", "count", "mode", "target", "temperatures", "model"])
        XCTAssertEqual(params[0]["default"] as? Double, 0.1)
        XCTAssertEqual(params[0]["maximum"] as? Double, 1)
        XCTAssertEqual(params[2]["allowed"] as? [String], ["fixed", "adaptive"])
        XCTAssertNil(params[3]["default"])
        XCTAssertEqual((params[5]["fields"] as? [[String: Any]])?.count, 2)
        XCTAssertEqual(json?["rules"] as? [String], ["target only with mode adaptive"])
    }
}
