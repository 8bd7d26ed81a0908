import Model
import World

/// SFT demonstrations encoded for training: chat tokens with a loss mask on response tokens only.
struct SFTData {
    /// Encoded training examples.
    var train: [ChatEncoding]
    /// Encoded validation examples.
    var validation: [ChatEncoding]

    /// Encodes `records` (with their file lines) with `format` and holds out about `validationFraction` of
    /// them, chosen by a stable hash of the prompt (so the split never moves when other lines change); when
    /// none falls in validation, the last training example moves there. Examples longer than `maxLength`
    /// tokens are an error naming the line; so is a file too small to leave one example on each side.
    init(_ records: [(line: Int, record: SFTRecord)], format: ChatFormat, validationFraction: Double, maxLength: Int, file: String) throws {
        train = []
        validation = []
        for (line, record) in records {
            let encoding = format.encode(prompt: record.prompt, response: record.response)
            guard encoding.tokens.count <= maxLength else {
                throw StagesError.badInput(path: file, message: "line \(line): prompt and response take \(encoding.tokens.count) "
                    + "tokens, over the model's \(maxLength); shorten the example or raise max_position_embeddings")
            }
            let bucket = Double(StableHash.hash("sft-split|" + record.prompt) % 10_000) / 10_000
            if bucket < validationFraction { validation.append(encoding) } else { train.append(encoding) }
        }
        if validation.isEmpty && train.count > 1 { validation.append(train.removeLast()) }
        guard records.count >= 2 else {
            throw StagesError.badInput(path: file, message: "has \(records.count) demonstration; SFT needs at least 2 "
                + "(one to train on and one held out for the validation loss); add demonstrations")
        }
        guard !train.isEmpty else {
            throw StagesError.badInput(path: file, message: "all \(records.count) demonstrations fall in the validation split; "
                + "add demonstrations or lower validation_fraction")
        }
    }
}
