extension Pipeline {
    /// XXH3-128 of the canonical JSON of the whole definition (experiment, seed, replicated seeds and every node's kind,
    /// params, inputs, outputs, `after` and replica); formatting and key order of `pipeline.json` do not change it.
    public var definitionHash: ContentHash {
        let members = nodes.mapValues { node -> JSONValue in
            var fields: [String: JSONValue] = [
                "kind": .string(node.kind),
                "params": .object(node.params),
                "inputs": .object(node.inputs.mapValues { .string($0.description) }),
                "outputs": .object(node.outputs.mapValues(JSONValue.string)),
                "after": .array(node.after.sorted().map(JSONValue.string)),
            ]
            if let replica = node.replica { fields["replica"] = .object(["base": .string(replica.base), "seed": .string(String(replica.seed))]) }
            return .object(fields)
        }
        var top: [String: JSONValue] = ["experiment": .string(experiment), "seed": .string(String(seed)), "nodes": .object(members)]
        if !seeds.isEmpty { top["replicate"] = .array(seeds.map { .string(String($0)) }) }
        let definition = JSONValue.object(top)
        return ContentHash.of(bytes: definition.canonicalBytes)
    }
}
