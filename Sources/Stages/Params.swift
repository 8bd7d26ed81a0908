import EngineCore

/// Typed, range-checked access to a node's params with defaults; errors name the node and param.
struct Params {
    /// The node's name, for errors.
    let node: String
    /// The raw params.
    let values: [String: JSONValue]

    /// Reads the params of the node running in `context`.
    init(_ context: StageContext) {
        self.init(node: context.node, values: context.params)
    }

    /// Wraps raw params of `node`.
    init(node: String, values: [String: JSONValue]) {
        self.node = node
        self.values = values
    }

    /// An error about `param`.
    func error(_ param: String, _ message: String) -> StagesError {
        .invalidParam(node: node, param: param, message: message)
    }

    /// An integer param in `range`, or `fallback` when absent.
    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int> = 0...Int(Int32.max)) throws -> Int {
        guard let raw = values[name] else { return fallback }
        guard let value = raw.intValue else { throw error(name, "must be an integer, found \(raw.typeName)") }
        guard range.contains(Int(value)) else { throw error(name, "must be in \(range.lowerBound)...\(range.upperBound), found \(value)") }
        return Int(value)
    }

    /// A number param in `range`, or `fallback` when absent.
    func double(_ name: String, default fallback: Double, in range: ClosedRange<Double> = -1e9...1e9) throws -> Double {
        guard let raw = values[name] else { return fallback }
        guard let value = raw.doubleValue, value.isFinite else { throw error(name, "must be a number, found \(raw.typeName)") }
        guard range.contains(value) else { throw error(name, "must be in \(range.lowerBound)...\(range.upperBound), found \(value)") }
        return value
    }

    /// A bool param, or `fallback` when absent.
    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let raw = values[name] else { return fallback }
        guard let value = raw.boolValue else { throw error(name, "must be true or false, found \(raw.typeName)") }
        return value
    }

    /// A string param, or `fallback` when absent.
    func string(_ name: String, default fallback: String) throws -> String {
        guard let raw = values[name] else { return fallback }
        guard let value = raw.stringValue else { throw error(name, "must be a string, found \(raw.typeName)") }
        return value
    }

    /// A string param that must be one of `choices`.
    func choice(_ name: String, default fallback: String, among choices: [String]) throws -> String {
        let value = try string(name, default: fallback)
        guard choices.contains(value) else { throw error(name, "must be one of \(choices.joined(separator: ", ")), found \"\(value)\"") }
        return value
    }

    /// A non-empty array of numbers in `range`, or `fallback` when absent.
    func doubles(_ name: String, default fallback: [Double], in range: ClosedRange<Double>) throws -> [Double] {
        guard let raw = values[name] else { return fallback }
        guard case let .array(items) = raw, !items.isEmpty else { throw error(name, "must be a non-empty array of numbers") }
        return try items.enumerated().map { index, item in
            guard let value = item.doubleValue, range.contains(value) else {
                throw error("\(name)[\(index)]", "must be a number in \(range.lowerBound)...\(range.upperBound)")
            }
            return value
        }
    }

    /// An object param as canonical JSON text (for decoding a Codable config), or "{}" when absent.
    func objectJSON(_ name: String) throws -> String {
        guard let raw = values[name] else { return "{}" }
        guard raw.objectValue != nil else { throw error(name, "must be an object, found \(raw.typeName)") }
        return raw.canonical
    }
}
