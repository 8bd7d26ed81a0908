import Foundation

/// `"extends": "../../pipeline.json"`: a pipeline written as the changes to another one.
///
/// The variant's top-level keys replace the base's. Under `nodes`, a node of the variant that the base
/// lacks is added; `null` removes a base node; a node the base has is merged: `kind`, `after` and
/// `description` replace, `params`, `inputs` and `outputs` merge key by key (`null` removes a key).
/// Inherited output paths under `experiments/<base experiment>/` move to `experiments/<variant>/`.
/// Every value remembers the file that wrote it, so validation names that file.
extension PipelineLoader {
    /// The merged JSON of the file at `path` and the files it extends, with the file that wrote each JSON path.
    func resolve(path: String, seen: [String] = []) throws -> (root: JSONValue, origins: [String: String]) {
        let file = URL(fileURLWithPath: path).standardizedFileURL.path
        guard !seen.contains(file) else {
            throw EngineError.invalidPipeline(file: file, issues: [ValidationIssue(path: "extends", message: "extends itself through \(seen.joined(separator: " → ")); break the cycle")])
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            let hint = seen.isEmpty ? "run from the workspace root, or pass -C <workspace> or --pipeline <file>" : "fix \"extends\" in \(seen.last!); it is relative to that file"
            throw EngineError.notFound(what: "pipeline file \(file)", hint: hint)
        }
        let root = try JSONValue.parse(Array(data), file: file)
        guard case var .object(top) = root, let extends = top["extends"] else { return (root, ["": file]) }
        guard let relative = extends.stringValue, !relative.isEmpty else {
            throw EngineError.invalidPipeline(file: file, issues: [ValidationIssue(path: "extends", message: "must be the path of the base pipeline file, relative to this file")])
        }
        top["extends"] = nil
        let basePath = relative.hasPrefix("/") ? relative : URL(fileURLWithPath: file).deletingLastPathComponent().appendingPathComponent(relative).path
        let base = try resolve(path: basePath, seen: seen + [file])
        guard case let .object(baseTop) = base.root else { return (.object(top), ["": file]) }
        var origins = base.origins
        var merged = baseTop
        for (key, value) in top where key != "nodes" {
            merged[key] = value
            origins[key] = file
        }
        let baseExperiment = baseTop["experiment"]?.stringValue
        let experiment = merged["experiment"]?.stringValue
        guard let variantNodes = top["nodes"] else { return (.object(merged), origins) }
        guard case let .object(changes) = variantNodes, case var .object(nodes)? = baseTop["nodes"] else {
            merged["nodes"] = variantNodes
            origins["nodes"] = file
            return (.object(merged), origins)
        }
        if let baseExperiment, let experiment, baseExperiment != experiment {
            for (name, node) in nodes { nodes[name] = Self.rebase(node, from: baseExperiment, to: experiment) }
        }
        for (name, change) in changes {
            let path = "nodes.\(name)"
            switch (change, nodes[name]) {
            case (.null, _):
                nodes[name] = nil
                origins = origins.filter { !Self.isUnder($0.key, path) }
            case let (.object(fields), .object(old)?):
                var node = old
                for (key, value) in fields {
                    if ["params", "inputs", "outputs"].contains(key), case let .object(entries) = value, case var .object(current)? = node[key] {
                        for (entry, entryValue) in entries {
                            current[entry] = entryValue == .null ? nil : entryValue
                            origins["\(path).\(key).\(entry)"] = file
                        }
                        node[key] = .object(current)
                    } else {
                        node[key] = value == .null ? nil : value
                        origins = origins.filter { !Self.isUnder($0.key, "\(path).\(key)") }
                        origins["\(path).\(key)"] = file
                    }
                }
                nodes[name] = .object(node)
            default:
                nodes[name] = change
                origins = origins.filter { !Self.isUnder($0.key, path) }
                origins[path] = file
            }
        }
        merged["nodes"] = .object(nodes)
        return (.object(merged), origins)
    }

    /// The file that wrote the value at `path`: the origin of its longest recorded prefix.
    static func origin(of path: String, in origins: [String: String]) -> String? {
        var candidate = path
        while true {
            if let file = origins[candidate] { return file }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { return origins[""] }
            candidate = String(candidate[..<cut])
        }
    }

    private static func isUnder(_ path: String, _ prefix: String) -> Bool {
        path == prefix || path.hasPrefix(prefix + ".") || path.hasPrefix(prefix + "[")
    }

    /// `root` with every node's output paths under `experiments/<from>/` moved under `experiments/<to>/`.
    static func rebaseOutputs(_ root: JSONValue, from: String, to: String) -> JSONValue {
        guard case var .object(top) = root, case let .object(nodes)? = top["nodes"] else { return root }
        top["nodes"] = .object(nodes.mapValues { rebase($0, from: from, to: to) })
        return .object(top)
    }

    /// `node` with output paths under `experiments/<from>/` moved under `experiments/<to>/`.
    private static func rebase(_ node: JSONValue, from: String, to: String) -> JSONValue {
        guard case var .object(fields) = node, case let .object(outputs)? = fields["outputs"] else { return node }
        let prefix = "experiments/\(from)/"
        fields["outputs"] = .object(outputs.mapValues { value in
            guard let text = value.stringValue, text.hasPrefix(prefix) else { return value }
            return .string("experiments/\(to)/" + text.dropFirst(prefix.count))
        })
        return .object(fields)
    }
}
