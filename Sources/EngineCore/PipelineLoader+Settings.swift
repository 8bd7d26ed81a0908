import Foundation

/// `rlhf build --set NODE.PARAM=VALUE`: one param of one node changed for a one-off variant.
public struct ParamSetting: Sendable, Equatable {
    /// The node.
    public var node: String
    /// The param.
    public var param: String
    /// The value (JSON when it parses as JSON, else the text as a string).
    public var value: JSONValue

    /// Parses `NODE.PARAM=VALUE`.
    public init(parsing text: String) throws {
        guard let equals = text.firstIndex(of: "="), let dot = text[..<equals].firstIndex(of: ".") else {
            throw EngineError.notFound(what: "NODE.PARAM=VALUE in '\(text)'", hint: "write e.g. --set ppo.kl_coef=0.1 or --set sft.lr=3e-4")
        }
        node = String(text[..<dot])
        param = String(text[text.index(after: dot)..<equals])
        let raw = String(text[text.index(after: equals)...])
        value = (try? JSONValue.parse(Array(raw.utf8), file: "--set")) ?? .string(raw)
    }
}

extension PipelineLoader {
    /// Loads the pipeline at `path` with `settings` applied as a variant experiment named `variant`
    /// (default: `<experiment>-set-<hash of the settings>`); inherited output paths move under
    /// `experiments/<variant>/`, so the variant never overwrites the experiment it varies.
    public func load(path: String, settings: [ParamSetting], variant: String? = nil) throws -> Pipeline {
        guard !settings.isEmpty || variant != nil else { return try load(path: path) }
        let file = URL(fileURLWithPath: path).standardizedFileURL.path
        var (root, origins) = try resolve(path: file)
        guard case var .object(top) = root, case var .object(nodes)? = top["nodes"] else { return try load(path: path) }
        let base = top["experiment"]?.stringValue ?? "experiment"
        let description = settings.map { "\($0.node).\($0.param)=\($0.value.canonical)" }.joined(separator: " ")
        let name = variant ?? "\(base)-set-" + String(ContentHash.of(text: description).hex.prefix(8))
        for setting in settings {
            guard case var .object(fields)? = nodes[setting.node] else {
                throw EngineError.notFound(what: "node '\(setting.node)' for --set \(setting.node).\(setting.param)",
                                           hint: "nodes are: \(nodes.keys.sorted().joined(separator: ", "))")
            }
            var params = fields["params"]?.objectValue ?? [:]
            params[setting.param] = setting.value
            fields["params"] = .object(params)
            nodes[setting.node] = .object(fields)
            origins["nodes.\(setting.node).params.\(setting.param)"] = "--set \(setting.node).\(setting.param)"
        }
        top["nodes"] = .object(nodes)
        top["experiment"] = .string(name)
        top["description"] = .string("One-off variant of \(base): \(description)")
        root = Self.rebaseOutputs(.object(top), from: base, to: name)
        var pipeline = try validate(root, file: file, origins: origins)
        pipeline.file = file
        return pipeline
    }
}
