import Foundation

/// Reads and validates `pipeline.json`, reporting every problem in one go with its JSON path.
public struct PipelineLoader: Sendable {
    /// The kinds a node may name.
    public var registry: StageRegistry
    /// Seeds to replicate over (`--seeds`), replacing the file's `"replicate"` seeds; nil: as the file says.
    public var seeds: [UInt64]?

    /// Creates a loader that checks kinds against `registry`, replicating over `seeds` when given (see `PipelineLoader+Replicate`).
    public init(registry: StageRegistry, seeds: [UInt64]? = nil) {
        self.registry = registry
        self.seeds = seeds
    }

    /// Loads and validates the pipeline file at `path`, merged onto the files it `extends`; an issue is
    /// reported in the file that wrote the offending value (see `PipelineLoader+Extends`).
    public func load(path: String) throws -> Pipeline {
        let file = URL(fileURLWithPath: path).standardizedFileURL.path
        let (root, origins) = try resolve(path: file)
        var pipeline = try validate(root, file: file, origins: origins)
        pipeline.file = file
        return pipeline
    }

    /// Validates pipeline JSON text; `file` names it in errors.
    public func parse(bytes: [UInt8], file: String) throws -> Pipeline {
        try validate(try JSONValue.parse(bytes, file: file), file: file, origins: ["": file])
    }

    /// Validates `root`; issues are grouped under the file `origins` says wrote them (the first such file
    /// is the one reported; issues of other files carry their file in the message).
    func validate(_ root: JSONValue, file: String, origins: [String: String]) throws -> Pipeline {
        var validator = PipelineValidator(registry: registry)
        var pipeline = validator.validate(root)
        if validator.issues.isEmpty, let valid = pipeline {
            pipeline = validator.replicate(valid, spec: root.objectValue?["replicate"], override: seeds)
        }
        if !validator.issues.isEmpty || pipeline == nil {
            let issues = validator.issues.enumerated().sorted { ($0.element.path, $0.offset) < ($1.element.path, $1.offset) }.map(\.element)
            let files = issues.map { Self.origin(of: $0.path, in: origins) ?? file }
            let reported = files.contains(file) ? file : files.first ?? file
            throw EngineError.invalidPipeline(file: reported, issues: zip(issues, files).map { issue, origin in
                origin == reported ? issue : ValidationIssue(path: issue.path, message: issue.message + " (written in \(origin))")
            })
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

    private static let nodeKeys: Set<String> = ["kind", "inputs", "params", "outputs", "after", "description", "executor", "resources"]
    /// Executor backends a node may name under `"executor"`.
    static let executorNames = ["local", "slurm", "ray"]
    /// Keys a node's `"resources"` object may hold (what backends understand).
    static let resourceKeys: Set<String> = ["cpus", "gpus", "memory", "time", "partition", "retries"]
    private static let topKeys: Set<String> = ["experiment", "seed", "nodes", "description", "extends", "replicate"]

    /// Records one problem at JSON path `path`.
    mutating func issue(_ path: String, _ message: String) {
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
        let paramIssues = issues.count
        if let kind { checkParams(params, kind: kind, path: "\(path).params") }
        let invalidParams = Set(issues[paramIssues...].map { $0.path.dropFirst("\(path).params.".count).prefix { $0 != "." && $0 != "[" } }.map(String.init))

        var inputs: [String: OutputRef] = [:]
        if let raw = fields["inputs"] {
            if let object = raw.objectValue {
                for role in object.keys.sorted() {
                    guard let text = object[role]!.stringValue, !text.isEmpty else {
                        issue("\(path).inputs.\(role)", "must be a string \"node\" or \"node.output\"")
                        continue
                    }
                    let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                    guard Self.isName(parts[0]), parts.count == 1 || Self.isName(parts[1]) else {
                        issue("\(path).inputs.\(role)", "'\(Self.printable(text))' is not \"node\" or \"node.output\" (names use letters, digits, '_' or '-')")
                        continue
                    }
                    inputs[role] = OutputRef(node: parts[0], output: parts.count > 1 ? parts[1] : "")
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
        var node = Node(name: name, kind: kindName, inputs: inputs, params: params, outputs: outputs, after: after)
        if let raw = fields["executor"] {
            if let text = raw.stringValue, Self.executorNames.contains(text) {
                node.executor = text
            } else {
                issue("\(path).executor", "must be one of \(Self.executorNames.joined(separator: ", "))")
            }
        }
        if let raw = fields["resources"] {
            if let object = raw.objectValue {
                for key in object.keys.sorted() where !Self.resourceKeys.contains(key) {
                    issue("\(path).resources.\(key)", "unknown resource; expected one of \(Self.resourceKeys.sorted().joined(separator: ", "))")
                }
                node.resources = object
            } else {
                issue("\(path).resources", "must be an object such as {\"cpus\": 2, \"memory\": \"4G\", \"time\": \"01:00:00\"}")
            }
        }
        if let kind { checkRules(node, kind: kind, path: path, skipping: invalidParams) }
        return node
    }

    private mutating func checkParams(_ params: [String: JSONValue], kind: any StageKind, path: String) {
        let specs = Dictionary(kind.params.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for spec in kind.params where spec.required && params[spec.name] == nil {
            issue("\(path).\(spec.name)", "missing required \(spec.type.rawValue) param of kind '\(kind.name)'\(spec.summary.isEmpty ? "" : " (\(spec.summary))")")
        }
        for name in params.keys.sorted() {
            if let spec = specs[name] {
                issues += spec.issues(in: params[name]!, path: "\(path).\(name)")
            } else if !kind.acceptsExtraParams {
                issue("\(path).\(name)", "kind '\(kind.name)' has no param '\(name)'; known: \(specs.keys.sorted().joined(separator: ", "))")
            }
        }
    }

    /// Runs the kind's cross-field rules on the node's params without the `invalid` ones (already reported);
    /// a rule's problem at a path that already has one is not repeated. `path` is the node's.
    private mutating func checkRules(_ node: Node, kind: any StageKind, path: String, skipping invalid: Set<String>) {
        let params = node.params.filter { !invalid.contains($0.key) }
        let reported = Set(issues.map(\.path))
        for rule in kind.rules {
            for found in rule.check(params, Set(node.inputs.keys)) where !reported.contains("\(path).\(found.path)") {
                issues.append(ValidationIssue(path: "\(path).\(found.path)", message: found.message))
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

    /// Reports output paths that are invalid, escape the workspace, repeat or nest inside another node's.
    mutating func checkOutputPaths(_ nodes: [String: Node]) {
        var owners: [String: String] = [:]
        for name in nodes.keys.sorted() {
            let node = nodes[name]!
            for output in node.outputs.keys.sorted() {
                let raw = node.outputs[output]!
                let path = node.kind == "file" ? "nodes.\(name).params.path" : "nodes.\(name).outputs.\(output)"
                if Self.hasControlCharacter(raw) {
                    issue(path, "'\(Self.printable(raw))' holds a NUL or control character; use a plain path")
                    continue
                }
                guard let normalized = Self.normalize(raw) else {
                    if node.kind == "file", node.params["external"]?.boolValue == true, !raw.isEmpty, !raw.hasPrefix("~") {
                        continue
                    }
                    issue(path, node.kind == "file"
                        ? "'\(raw)' is outside the workspace; to read a file from there add \"external\": true to the node's params "
                            + "(it is then tracked by content like any other source), or copy it into the workspace"
                        : "'\(raw)' escapes the workspace; use a relative path without '..'")
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

    /// Whether `text` holds NUL, a C0 control character or DEL (never valid in a workspace path).
    static func hasControlCharacter(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) }
    }

    /// `text` with control characters shown as `\u{..}` escapes, for error messages.
    static func printable(_ text: String) -> String {
        text.unicodeScalars.map { hasControlCharacter(String($0)) ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
    }

    /// Whether `text` is a plain identifier-like name.
    static func isName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
    }

    /// Dependencies-first order by an iterative depth-first search (no recursion: a chain of any
    /// length fits); reports every cycle once. Returns nil when there is a cycle.
    /// - Complexity: O(nodes + edges).
    mutating func topologicalOrder(_ nodes: [String: Node]) -> [String]? {
        var state: [String: Int] = [:]
        var order: [String] = []
        var reported = Set<Set<String>>()
        var hasCycle = false
        for root in nodes.keys.sorted() where state[root] == nil {
            // Each frame: a node on the current path and the index of its next dependency to visit.
            var stack: [(name: String, dependencies: [String], next: Int)] = []
            state[root] = 1
            stack.append((root, nodes[root]!.dependencies.filter { nodes[$0] != nil }, 0))
            while !stack.isEmpty {
                let top = stack.count - 1
                guard stack[top].next < stack[top].dependencies.count else {
                    state[stack[top].name] = 2
                    order.append(stack[top].name)
                    stack.removeLast()
                    continue
                }
                let dependency = stack[top].dependencies[stack[top].next]
                stack[top].next += 1
                switch state[dependency] {
                case 1?:
                    hasCycle = true
                    let path = stack.map(\.name)
                    let cycle = Array(path[path.lastIndex(of: dependency)!...])
                    if reported.insert(Set(cycle)).inserted {
                        var forward = Array(cycle.reversed())
                        let start = forward.firstIndex(of: forward.min()!)!
                        forward = Array(forward[start...] + forward[..<start])
                        forward.append(forward[0])
                        issues.append(ValidationIssue(path: "nodes.\(forward[0])", message: "cycle: " + forward.joined(separator: " → ")))
                    }
                case nil:
                    state[dependency] = 1
                    stack.append((dependency, nodes[dependency]!.dependencies.filter { nodes[$0] != nil }, 0))
                default:
                    break
                }
            }
        }
        return hasCycle ? nil : order
    }
}
