import Model
import World

/// Which assistant turns of a conversation carry the SFT loss.
enum SFTLossTurns: String, CaseIterable {
    /// Every assistant message and its EOS.
    case all
    /// Only the last assistant message and its EOS.
    case last
}

/// SFT examples encoded for training: chat tokens with a loss mask on assistant tokens, or plain text with
/// the loss on every token.
struct SFTData {
    /// Encoded training examples.
    var train: [ChatEncoding]
    /// Encoded validation examples.
    var validation: [ChatEncoding]

    /// Encodes `examples` (with their file lines) with `format` and holds out about `validationFraction` of
    /// them, chosen by a stable hash of the first user message (so the split never moves when other lines
    /// change); when none falls in validation, the last training example moves there. Examples longer than
    /// `maxLength` tokens are an error naming the line; so is a file too small to leave one example on each side.
    init(_ examples: [(line: Int, example: SFTExample)], format: ChatFormat, template: ModelChatTemplate? = nil, lossTurns: SFTLossTurns = .all,
         validationFraction: Double, maxLength: Int, file: String) throws {
        train = []
        validation = []
        for (line, example) in examples {
            let encoding = try Self.encode(example, format: format, template: template, lossTurns: lossTurns, line: line, file: file)
            guard encoding.tokens.count <= maxLength else {
                throw StagesError.badInput(path: file, message: "line \(line): the example takes \(encoding.tokens.count) "
                    + "tokens, over the model's \(maxLength); shorten the example or raise max_position_embeddings")
            }
            let bucket = Double(StableHash.hash("sft-split|" + example.splitKey) % 10_000) / 10_000
            if bucket < validationFraction { validation.append(encoding) } else { train.append(encoding) }
        }
        if validation.isEmpty && train.count > 1 { validation.append(train.removeLast()) }
        guard examples.count >= 2 else {
            throw StagesError.badInput(path: file, message: "has \(examples.count) demonstration; SFT needs at least 2 "
                + "(one to train on and one held out for the validation loss); add demonstrations")
        }
        guard !train.isEmpty else {
            throw StagesError.badInput(path: file, message: "all \(examples.count) demonstrations fall in the validation split; "
                + "add demonstrations or lower validation_fraction")
        }
    }

    /// Tokens and loss mask of one example; chats in `template` (the checkpoint's own) when given, else in `format`.
    static func encode(_ example: SFTExample, format: ChatFormat, template: ModelChatTemplate? = nil, lossTurns: SFTLossTurns, line: Int,
                       file: String) throws -> ChatEncoding {
        switch example.body {
        case .text(let text):
            let tokens = [format.tokenizer.special.bos] + format.tokenizer.encode(text) + [format.tokenizer.special.eos]
            return ChatEncoding(tokens: tokens, lossMask: [0] + Array(repeating: 1, count: tokens.count - 1), promptLength: 1)
        case .conversation(let messages):
            var encoding: ChatEncoding
            do {
                encoding = try format.encode(messages: messages, template: template)
            } catch {
                throw StagesError.badInput(path: file, message: "line \(line): \(error)")
            }
            if lossTurns == .last {
                for index in 0..<encoding.promptLength { encoding.lossMask[index] = 0 }
            }
            return encoding
        }
    }
}
