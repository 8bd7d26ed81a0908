import Model
import World

/// SFT demonstrations encoded for training: chat tokens with a loss mask on response tokens only.
struct SFTData {
    /// Encoded training examples.
    var train: [ChatEncoding]
    /// Encoded validation examples.
    var validation: [ChatEncoding]

    /// Encodes `records` with `format` and holds out about `validationFraction` of them, chosen by a
    /// stable hash of the prompt (so the split never moves when other lines change).
    /// Examples longer than `maxLength` tokens are an error naming the line.
    init(_ records: [SFTRecord], format: ChatFormat, validationFraction: Double, maxLength: Int, file: String) throws {
        train = []
        validation = []
        for (index, record) in records.enumerated() {
            let encoding = format.encode(prompt: record.prompt, response: record.response)
            guard encoding.tokens.count <= maxLength else {
                throw StagesError.badInput(path: file, message: "line \(index + 1): prompt and response take \(encoding.tokens.count) "
                    + "tokens, over the model's \(maxLength); shorten the example or raise max_position_embeddings")
            }
            let bucket = Double(StableHash.hash("sft-split|" + record.prompt) % 10_000) / 10_000
            if bucket < validationFraction { validation.append(encoding) } else { train.append(encoding) }
        }
        if train.isEmpty { throw StagesError.badInput(path: file, message: "no training examples left after the validation split") }
        if validation.isEmpty, let last = train.popLast() { validation.append(last) }
    }
}
