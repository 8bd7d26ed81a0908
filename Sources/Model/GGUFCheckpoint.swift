import Foundation
import GGUF

/// LLaMA models stored as llama.cpp GGUF files: the config from `llama.*` metadata, the weights
/// dequantised to f32 under their Hugging Face names, with q/k rows back in HF's rotate-half order.
public enum GGUFCheckpoint {
    /// Opens `url` as a GGUF file, turning its errors into `ModelError.badFile`.
    public static func open(_ url: URL) throws -> GGUFFile {
        do {
            return try GGUFFile(contentsOf: url)
        } catch let error as GGUFError {
            throw ModelError.badFile(path: url.path, reason: error.description)
        }
    }

    /// The model that `file` describes, with every tensor loaded, checked and un-permuted.
    public static func loadModel(_ file: GGUFFile) throws -> LlamaModel {
        let config = try config(of: file)
        let model = try LlamaModel(config: config)
        let expected = Set(model.layout.slices.map(\.name))
        for info in file.tensors {
            guard let name = hfName(info.name), expected.contains(name) else {
                throw ModelError.badCheckpoint(path: file.source, reason: "tensor '\(info.name)' has no counterpart in a "
                    + "LlamaForCausalLM (llama.cpp names token_embd, output_norm, output and blk.N.attn_q|attn_k|attn_v|"
                    + "attn_output|attn_norm|ffn_gate|ffn_up|ffn_down|ffn_norm are read); this model variant is not supported")
            }
        }
        for slice in model.layout.slices {
            let ggufName = ggufName(slice.name)
            guard file.contains(ggufName) else {
                throw ModelError.badCheckpoint(path: file.source, reason: "missing tensor '\(ggufName)' (\(slice.name), "
                    + "shape \(slice.shape)) that the llama.* metadata requires")
            }
            let info = try file.info(ggufName)
            guard info.shape == slice.shape else {
                throw ModelError.badCheckpoint(path: file.source, reason: "tensor '\(ggufName)' has shape \(info.shape) "
                    + "(ggml dimensions \(info.dimensions)) but the llama.* metadata (embedding_length \(config.hiddenSize), "
                    + "feed_forward_length \(config.intermediateSize), heads \(config.numAttentionHeads)/"
                    + "\(config.numKeyValueHeads), vocabulary \(config.vocabSize)) needs \(slice.shape)")
            }
            var values: [Float]
            do {
                values = try file.floats(info)
            } catch let error as GGUFError {
                throw ModelError.badCheckpoint(path: file.source, reason: error.description)
            }
            if slice.name.hasSuffix("self_attn.q_proj.weight") {
                values = unpermuteRows(values, heads: config.numAttentionHeads, columns: config.hiddenSize)
            } else if slice.name.hasSuffix("self_attn.k_proj.weight") {
                values = unpermuteRows(values, heads: config.numKeyValueHeads, columns: config.hiddenSize)
            }
            model.parameters.copy(from: values, offset: slice.offset)
        }
        return model
    }

    /// Loads the model in the GGUF file at `url`.
    public static func loadModel(from url: URL) throws -> LlamaModel {
        try loadModel(open(url))
    }

    /// Undoes llama.cpp's q/k permutation: within each head of `rows / heads` rows, the convert script
    /// interleaves the two rotary halves (row 2i+p holds HF row p·HD/2 + i); this puts them back.
    /// - Complexity: O(rows × columns).
    static func unpermuteRows(_ values: [Float], heads: Int, columns: Int) -> [Float] {
        let rows = values.count / columns
        let headRows = rows / heads, half = headRows / 2
        var out = [Float](repeating: 0, count: values.count)
        for head in 0..<heads {
            for i in 0..<half {
                for part in 0..<2 {
                    let from = (head * headRows + 2 * i + part) * columns
                    let to = (head * headRows + part * half + i) * columns
                    out.replaceSubrange(to..<to + columns, with: values[from..<from + columns])
                }
            }
        }
        return out
    }
}
