extension Pipeline {
    /// XXH3-128 of the canonical JSON of the whole definition (experiment, seed and every node's kind,
    /// params, inputs, outputs and `after`); formatting and key order of `pipeline.json` do not change it.
    public var definitionHash: ContentHash {
        let members = nodes.mapValues { node -> JSONValue in
            .object([
                "kind": .string(node.kind),
                "params": .object(node.params),
                "inputs": .object(node.inputs.mapValues { .string($0.description) }),
                "outputs": .object(node.outputs.mapValues(JSONValue.string)),
                "after": .array(node.after.sorted().map(JSONValue.string)),
            ])
        }
        let definition = JSONValue.object(["experiment": .string(experiment), "seed": .string(String(seed)), "nodes": .object(members)])
        return ContentHash.of(bytes: definition.canonicalBytes)
    }
}
