import Foundation

/// Reads and validates `pipeline.json`, reporting every problem in one go with its JSON path.
public struct PipelineLoader: Sendable {
    /// The kinds a node may name.
    public var registry: StageRegistry

    /// Creates a loader that checks kinds against `registry`.
    public init(registry: StageRegistry) {
        self.registry = registry
    }

    /// Loads and validates the pipeline file at `path`.
    public func load(path: String) throws -> Pipeline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EngineError.notFound(what: "pipeline file \(path)", hint: "run from the workspace root, or pass -C <workspace> or --pipeline <file>")
        }
        return try parse(bytes: Array(data), file: path)
    }

    /// Validates pipeline JSON text; `file` names it in errors.
    public func parse(bytes: [UInt8], file: String) throws -> Pipeline {
        let root = try JSONValue.parse(bytes, file: file)
        var validator = PipelineValidator(registry: registry)
        let pipeline = validator.validate(root)
        if !validator.issues.isEmpty || pipeline == nil {
            throw EngineError.invalidPipeline(file: file, issues: validator.issues.enumerated()
                .sorted { ($0.element.path, $0.offset) < ($1.element.path, $1.offset) }.map(\.element))
        }
        return pipeline!
    }
}

/// Collects validation issues while building a `Pipeline` from parsed JSON.
struct PipelineValidator {
    /// Kinds the nodes may name.
    let registry: StageRegistry
    /// Problems found so far.
    var issues: [ValidationIssue] = []

    private static let nodeKeys: Set<String> = ["kind", "inputs", "params", "outputs", "after", "description"]
    private static let topKeys: Set<String> = ["experiment", "seed", "nodes", "description"]

    private mutating func issue(_ path: String, _ message: String) {
        issues.append(ValidationIssue(path: path, message: message))
    }

    /// Checks `root`; returns a pipeline when no problem was found.
    mutating func validate(_ root: JSONValue) -> Pipeline? {
        guard let top = root.objectValue else {
            issue("$", "the pipeline must be a JSON object with experiment, seed and nodes")
            return nil
        }
        for key in top.keys.sorted() where !Self.topKeys.contains(key) {
            issue(key, "unknown key; expected one of \(Self.topKeys.sorted().joined(separator: ", "))")
        }
        var experiment = "experiment"
        switch top["experiment"] {
        case let .string(name)? where Self.isName(name): experiment = name
        case nil: issue("experiment", "missing; add \"experiment\": \"<name>\"")
        default: issue("experiment", "must be a name of letters, digits, '_' or '-'")
        }
        var seed: UInt64 = 0
        if let value = top["seed"] {
            if let number = value.intValue, number >= 0 { seed = UInt64(number) } else { issue("seed", "must be a non-negative integer, found \(value.typeName)") }
        }
        guard let rawNodes = top["nodes"]?.objectValue else {
            issue("nodes", top["nodes"] == nil ? "missing; add \"nodes\": { ... }" : "must be an object of node name → node")
            return nil
        }
        var nodes: [String: Node] = [:]
        for name in rawNodes.keys.sorted() {
            if let node = parseNode(name: name, value: rawNodes[name]!, experiment: experiment) { nodes[name] = node }
        }
        checkReferences(&nodes, rawNodes: rawNodes)
        checkOutputPaths(nodes)
        let order = topologicalOrder(nodes)
        guard issues.isEmpty, let order else { return nil }
        return Pipeline(experiment: experiment, seed: seed, nodes: nodes, order: order)
    }

    private mutating func parseNode(name: String, value: JSONValue, experiment: String) -> Node? {
        let path = "nodes.\(name)"
        if !Self.isName(name) { issue(path, "node names use letters, digits, '_' or '-' only") }
        guard let fields = value.objectValue else {
            issue(path, "must be an object with kind, inputs, params")
            return nil
        }
        for key in fields.keys.sorted() where !Self.nodeKeys.contains(key) {
            issue("\(path).\(key)", "unknown key; expected one of \(Self.nodeKeys.sorted().joined(separator: ", "))")
        }
        guard let kindName = fields["kind"]?.stringValue else {
            issue("\(path).kind", "missing or not a string; known kinds: \(registry.names.joined(separator: ", "))")
            return nil
        }
        let kind = registry.kind(named: kindName)
        if kind == nil { issue("\(path).kind", "unknown kind '\(kindName)'; known kinds: \(registry.names.joined(separator: ", "))") }

        var params: [String: JSONValue] = [:]
        if let raw = fields["params"] {
            if let object = raw.objectValue { params = object } else { issue("\(path).params", "must be an object") }
        }
        if let kind { checkParams(params, kind: kind, path: "\(path).params") }

        var inputs: [String: OutputRef] = [:]
        if let raw = fields["inputs"] {
            if let object = raw.objectValue {
                for role in object.keys.sorted() {
                    // Empty pieces kept, so "." and ".x" name no node instead of leaving nothing to index.
                    let parts = object[role]!.stringValue?.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
                        .map(String.init) ?? []
                    guard let node = parts.first, !node.isEmpty else {
                        issue("\(path).inputs.\(role)", "must be a string \"node\" or \"node.output\"")
                        continue
                    }
                    inputs[role] = OutputRef(node: node, output: parts.count > 1 ? parts[1] : "")
                }
            } else {
                issue("\(path).inputs", "must be an object of role → \"node\" or \"node.output\"")
            }
        }
        if let kind, let declared = kind.inputs {
            let roles = Set(declared.map(\.role))
            for role in inputs.keys.sorted() where !roles.contains(role) && !Node.isGateRole(role) {
                issue("\(path).inputs.\(role)", "kind '\(kind.name)' has no input '\(role)'; it takes \(roles.sorted().joined(separator: ", ")) (or a gate verdict as \(Node.gateRolePrefix)<name>)")
            }
            for spec in declared where spec.required && inputs[spec.role] == nil {
                issue("\(path).inputs.\(spec.role)", "missing required input of kind '\(kind.name)'")
            }
        }

        var outputs: [String: String] = [:]
        if let raw = fields["outputs"] {
            if let object = raw.objectValue {
                for output in object.keys.sorted() {
                    if let text = object[output]!.stringValue { outputs[output] = text } else { issue("\(path).outputs.\(output)", "must be a workspace-relative path string") }
                }
            } else {
                issue("\(path).outputs", "must be an object of output name → workspace-relative path")
            }
        }
        if kind is FileKind {
            if !outputs.isEmpty { issue("\(path).outputs", "a file node's output is its params.path; remove outputs") }
            outputs = [:]
            if let source = params["path"]?.stringValue { outputs = [FileKind.outputName: source] }
        } else if let kind, let declared = kind.outputs {
            for output in outputs.keys.sorted() where !declared.contains(output) {
                issue("\(path).outputs.\(output)", "kind '\(kind.name)' has no output '\(output)'; it makes \(declared.joined(separator: ", "))")
            }
            for output in declared where outputs[output] == nil {
                outputs[output] = kind.defaultPath(output: output, node: name, experiment: experiment)
            }
        }
        for output in outputs.keys where !Self.isName(output) {
            issue("\(path).outputs.\(output)", "output names use letters, digits, '_' or '-' only")
        }

        var after: [String] = []
        if let raw = fields["after"] {
            if case let .array(items) = raw, items.allSatisfy({ $0.stringValue != nil }) {
                after = items.compactMap(\.stringValue)
            } else {
                issue("\(path).after", "must be an array of node names")
            }
        }
        return Node(name: name, kind: kindName, inputs: inputs, params: params, outputs: outputs, after: after)
    }

    private mutating func checkParams(_ params: [String: JSONValue], kind: any StageKind, path: String) {
        let specs = Dictionary(uniqueKeysWithValues: kind.params.map { ($0.name, $0) })
        for spec in kind.params where spec.required && params[spec.name] == nil {
            issue("\(path).\(spec.name)", "missing required \(spec.type.rawValue) param of kind '\(kind.name)'\(spec.summary.isEmpty ? "" : " (\(spec.summary))")")
        }
        for name in params.keys.sorted() {
            if let spec = specs[name] {
                if !spec.type.accepts(params[name]!) {
                    issue("\(path).\(name)", "must be \(spec.type.rawValue), found \(params[name]!.typeName)")
                }
            } else if !kind.acceptsExtraParams {
                issue("\(path).\(name)", "kind '\(kind.name)' has no param '\(name)'; known: \(specs.keys.sorted().joined(separator: ", "))")
            }
        }
    }

    private mutating func checkReferences(_ nodes: inout [String: Node], rawNodes: [String: JSONValue]) {
        for name in nodes.keys.sorted() {
            var node = nodes[name]!
            for role in node.inputs.keys.sorted() {
                let reference = node.inputs[role]!
                let path = "nodes.\(name).inputs.\(role)"
                guard let upstream = nodes[reference.node] else {
                    if rawNodes[reference.node] == nil { issue(path, "refers to missing node '\(reference.node)'") }
                    node.inputs[role] = nil
                    continue
                }
                if reference.output.isEmpty {
                    if upstream.outputs.count == 1 {
                        node.inputs[role]!.output = upstream.outputs.keys.first!
                    } else {
                        issue(path, "node '\(reference.node)' has \(upstream.outputs.count) outputs; write \"\(reference.node).<output>\" with one of: \(upstream.outputs.keys.sorted().joined(separator: ", "))")
                    }
                } else if upstream.outputs[reference.output] == nil {
                    issue(path, "node '\(reference.node)' has no output '\(reference.output)'; it has: \(upstream.outputs.keys.sorted().joined(separator: ", "))")
                }
            }
            for (index, dependency) in node.after.enumerated() where nodes[dependency] == nil {
                if rawNodes[dependency] == nil { issue("nodes.\(name).after[\(index)]", "refers to missing node '\(dependency)'") }
            }
            node.after = node.after.filter { nodes[$0] != nil }
            nodes[name] = node
        }
    }

    private mutating func checkOutputPaths(_ nodes: [String: Node]) {
        var owners: [String: String] = [:]
        for name in nodes.keys.sorted() {
            let node = nodes[name]!
            for output in node.outputs.keys.sorted() {
                let raw = node.outputs[output]!
                let path = node.kind == "file" ? "nodes.\(name).params.path" : "nodes.\(name).outputs.\(output)"
                guard let normalized = Self.normalize(raw) else {
                    issue(path, "'\(raw)' escapes the workspace; use a relative path without '..'")
                    continue
                }
                if normalized == ".rlhf" || normalized.hasPrefix(".rlhf/") {
                    issue(path, "'\(raw)' is inside .rlhf/, which the engine owns; choose another path")
                    continue
                }
                if let owner = owners[normalized] {
                    issue(path, "duplicate output path '\(normalized)', also produced by \(owner)")
                    continue
                }
                owners[normalized] = path
            }
        }
        // A path nested inside another is found among the paths sorting right after it.
        let sorted = owners.keys.sorted()
        for (index, outer) in sorted.enumerated() {
            for inner in sorted[(index + 1)...] {
                guard inner.hasPrefix(outer) else { break }
                if inner.hasPrefix(outer + "/") { issue(owners[inner]!, "output path '\(inner)' is inside '\(outer)' of \(owners[outer]!)") }
            }
        }
    }

    /// The path with `.` components removed, or nil when it is absolute, empty or climbs with `..`.
    static func normalize(_ path: String) -> String? {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.hasPrefix("~") else { return nil }
        let parts = path.split(separator: "/").filter { $0 != "." }
        guard !parts.isEmpty, !parts.contains("..") else { return nil }
        return parts.joined(separator: "/")
    }

    /// Whether `text` is a plain identifier-like name.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    private mutating func topologicalOrder(_ nodes: [String: Node]) -> [String]? {
        var state: [String: Int] = [:]
        var stack: [String] = []
        var order: [String] = []
        var reported = Set<Set<String>>()
        var hasCycle = false
        func visit(_ name: String) {
            state[name] = 1
            stack.append(name)
            for dependency in nodes[name]!.dependencies where nodes[dependency] != nil {
                switch state[dependency] {
                case 1?:
                    hasCycle = true
                    let cycle = Array(stack[stack.lastIndex(of: dependency)!...])
                    if reported.insert(Set(cycle)).inserted {
                        var forward = Array(cycle.reversed())
                        let start = forward.firstIndex(of: forward.min()!)!
                        forward = Array(forward[start...] + forward[..<start])
                        forward.append(forward[0])
                        issues.append(ValidationIssue(path: "nodes.\(forward[0])", message: "cycle: " + forward.joined(separator: " → ")))
                    }
                case nil: visit(dependency)
                default: break
                }
            }
            stack.removeLast()
            state[name] = 2
            order.append(name)
        }
        for name in nodes.keys.sorted() where state[name] == nil { visit(name) }
        return hasCycle ? nil : order
    }
}
