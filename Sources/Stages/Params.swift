import EngineCore

/// Typed access to a node's params through their declarations: a value is checked against its
/// `ParamSpec` (the same check the loader ran) and decoded, and an absent one takes its declared default.
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

    /// An error about the declared `param` (its name comes from the declaration), or about `field` inside it.
    func error<Value>(_ param: Param<Value>, field: String? = nil, _ message: String) -> StagesError {
        error(param.spec.name + (field.map { ".\($0)" } ?? ""), message)
    }

    /// Whether the node sets `param`.
    func isSet<Value>(_ param: Param<Value>) -> Bool {
        values[param.spec.name] != nil
    }

    /// The value of `param` as set, or its declared default; a param without default must be set.
    func value<Value>(_ param: Param<Value>) throws -> Value {
        if let value = try optional(param) { return value }
        guard let fallback = param.fallback else { throw error(param.spec.name, "is required (\(param.spec.summary))") }
        return fallback
    }

    /// The value of `param` as set, or `derived` (a default computed at run time, declared as `.derived`).
    func value<Value>(_ param: Param<Value>, default derived: Value) throws -> Value {
        try optional(param) ?? derived
    }

    /// The value of `param` as set, or nil when the node does not set it (the default is not applied).
    func optional<Value>(_ param: Param<Value>) throws -> Value? {
        guard let raw = values[param.spec.name] else { return nil }
        if let issue = param.spec.issues(in: raw, path: param.spec.name).first {
            throw StagesError.invalidParam(node: node, param: issue.path, message: issue.message)
        }
        guard let value = param.read(raw) else { throw error(param.spec.name, "must be \(param.spec.constraintText)") }
        return value
    }
}

extension ParamRule {
    /// A rule written with `Params`: `check` throws `StagesError.invalidParam` (or `.invalidInputs`) for a violation,
    /// which the loader reports at `params.<param>` (or `inputs`) of the node.
    static func stage(_ summary: String, _ check: @escaping @Sendable (Params, Set<String>) throws -> Void) -> ParamRule {
        ParamRule(summary) { values, roles in
            do {
                try check(Params(node: "", values: values), roles)
                return []
            } catch let StagesError.invalidParam(_, param, message) {
                return [ValidationIssue(path: "params.\(param)", message: message)]
            } catch let StagesError.invalidInputs(_, message) {
                return [ValidationIssue(path: "inputs", message: message)]
            } catch {
                return [ValidationIssue(path: "params", message: "\(error)")]
            }
        }
    }
}

extension StageKind {
    /// The params of the node in `context`, after the checks the loader runs (declarations and rules), so a
    /// node run outside a loaded pipeline fails the same way; the first problem is thrown.
    func checkedParams(_ context: StageContext) throws -> Params {
        let params = Params(context)
        let specs = Dictionary(self.params.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for name in params.values.keys.sorted() {
            guard let spec = specs[name] else {
                if acceptsExtraParams { continue }
                throw params.error(name, "is not a param of kind '\(self.name)'; known: \(specs.keys.sorted().joined(separator: ", "))")
            }
            if let issue = spec.issues(in: params.values[name]!, path: name).first {
                throw params.error(issue.path, issue.message)
            }
        }
        for rule in rules {
            if let issue = rule.check(params.values, Set(context.inputs.keys)).first {
                if issue.path == "inputs" { throw StagesError.invalidInputs(node: context.node, message: issue.message) }
                throw params.error(String(issue.path.dropFirst("params.".count)), issue.message)
            }
        }
        return params
    }
}
