import EngineCore
import Foundation

/// Typed, range-checked access to a gate node's params.
struct GateParams {
    /// The node name, for errors.
    let node: String
    /// The params as written.
    let values: [String: JSONValue]

    /// The params of `context`'s node.
    init(_ context: StageContext) {
        self.init(node: context.node, values: context.params)
    }

    /// Params `values` of node `node`.
    init(node: String, values: [String: JSONValue]) {
        self.node = node
        self.values = values
    }

    /// A number param in `range`, or `fallback` when absent.
    func double(_ name: String, default fallback: Double, range: ClosedRange<Double> = -1e300...1e300) throws -> Double {
        guard let raw = values[name] else { return fallback }
        guard let value = raw.doubleValue, value.isFinite else { throw invalid(name, "expected a number, found \(raw.typeName)") }
        guard range.contains(value) else { throw invalid(name, "must be in \(range.lowerBound)...\(range.upperBound), got \(value)") }
        return value
    }

    /// An integer param in `range`, or `fallback` when absent.
    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let raw = values[name] else { return fallback }
        guard let value = raw.intValue else { throw invalid(name, "expected an integer, found \(raw.typeName)") }
        guard range.contains(Int(value)) else { throw invalid(name, "must be in \(range.lowerBound)...\(range.upperBound), got \(value)") }
        return Int(value)
    }

    /// A string param that must be one of `allowed`, or `fallback` when absent.
    func choice(_ name: String, default fallback: String, allowed: [String]) throws -> String {
        guard let raw = values[name] else { return fallback }
        guard let value = raw.stringValue, allowed.contains(value) else {
            throw invalid(name, "must be one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), got \(raw.canonical)")
        }
        return value
    }

    /// `severity`: "error" (default) or "warn".
    func severity() throws -> String {
        try choice("severity", default: "error", allowed: ["error", "warn"])
    }

    /// The error for a bad value of param `name`.
    func invalid(_ name: String, _ message: String) -> GateError {
        .invalidParam(node: node, name: name, message: message)
    }
}
