import Foundation
import XCTest
@testable import EngineCore
@testable import Stages
import TestSupport

/// For every declared param of the main kinds, changing only its value changes the node key, so no
/// real param (such as `learning_rate`) can be left out of the key.
final class NodeKeyParamTests: XCTestCase {
    /// Two different values `spec` accepts, or nil when it has no two (e.g. an empty choice list).
    static func twoValues(_ spec: ParamSpec) -> (JSONValue, JSONValue)? {
        switch spec.type {
        case .bool:
            return (.bool(true), .bool(false))
        case .integer:
            let low = spec.range.map { Int64($0.lowerBound) } ?? 0
            let high = spec.range.map { Int64(min($0.upperBound, 1e15)) } ?? 1
            return high > low ? (.int(low), .int(high)) : nil
        case .number:
            let range = spec.range ?? 0...1
            return range.upperBound > range.lowerBound ? (.double(range.lowerBound), .double((range.lowerBound + range.upperBound) / 2)) : nil
        case .string:
            guard let allowed = spec.allowed else { return (.string("a"), .string("b")) }
            return allowed.count >= 2 ? (.string(allowed[0]), .string(allowed[1])) : nil
        case .array:
            let element = ParamSpec(spec.name, spec.elements ?? .number, range: spec.range, allowed: spec.allowed)
            return twoValues(element).map { (.array([$0.0]), .array([$0.1])) }
        case .object:
            if let field = spec.fields?.lazy.compactMap({ field in twoValues(field).map { (field.name, $0) } }).first {
                return (.object([field.0: field.1.0]), .object([field.0: field.1.1]))
            }
            return (.object(["a": .string("sft")]), .object(["b": .string("sft")]))
        case .any:
            return (.int(0), .int(1))
        }
    }

    func testEveryDeclaredParamOfTheMainKindsEntersTheNodeKey() throws {
        let registry = ShippedKinds.registry
        let text = try Data(contentsOf: Repository.root.appendingPathComponent("experiments/smoke/pipeline.json"))
        let pipeline = try PipelineLoader(registry: registry).parse(bytes: Array(text), file: "smoke")
        let planner = Planner(pipeline: pipeline, registry: registry)
        let inputs = ["data": ContentHash.of(text: "inputs")]
        var checked = 0
        for kindName in ["pretrain", "sft", "reward_model", "ppo", "evaluate", "preferences", "gate.schema", "gate.length_bias"] {
            let kind = try XCTUnwrap(registry.kind(named: kindName))
            var node = pipeline.nodes.values.first { $0.kind == kindName }
                ?? Node(name: "n", kind: kindName, inputs: [:], params: [:], outputs: [:], after: [])
            for spec in kind.params {
                let (first, second) = try XCTUnwrap(Self.twoValues(spec), "\(kindName).\(spec.name)")
                XCTAssertEqual(spec.issues(in: first, path: spec.name) + spec.issues(in: second, path: spec.name), [], "\(kindName).\(spec.name)")
                node.params[spec.name] = first
                let keyFirst = planner.key(node: node, kind: kind, inputs: inputs)
                node.params[spec.name] = second
                let keySecond = planner.key(node: node, kind: kind, inputs: inputs)
                node.params[spec.name] = nil
                let keyAbsent = planner.key(node: node, kind: kind, inputs: inputs)
                XCTAssertNotEqual(keyFirst, keySecond, "\(kindName).\(spec.name): \(first.canonical) and \(second.canonical) share a key")
                XCTAssertNotEqual(keyFirst, keyAbsent, "\(kindName).\(spec.name) set or absent share a key")
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 80, "every param of eight kinds")
    }
}
