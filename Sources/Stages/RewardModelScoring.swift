import EngineCore
import Foundation
import Model

/// Scores responses with a reward-model checkpoint (LlamaForSequenceClassification layout), as `rlhf model score` does:
/// each response is encoded with the training chat format and scored at its closing EOS.
public struct RewardModelScoring {
    /// What one input asks: a response to score, or a chosen and a rejected response to compare.
    public struct Item: Sendable, Equatable {
        /// 1-based line of the pairs file (nil for a command-line item).
        public var line: Int?
        /// The conversation before the response.
        public var prompt: [ChatMessage]
        /// The response(s): one, or chosen then rejected.
        public var responses: [[ChatMessage]]

        /// An item of one string prompt and string responses.
        public init(line: Int? = nil, prompt: String, responses: [String]) {
            self.line = line
            self.prompt = [ChatMessage(role: "user", content: prompt)]
            self.responses = responses.map { [ChatMessage(role: "assistant", content: $0)] }
        }

        /// An item of messages.
        init(line: Int?, prompt: [ChatMessage], responses: [[ChatMessage]]) {
            self.line = line
            self.prompt = prompt
            self.responses = responses
        }
    }

    /// The scores of one item.
    public struct Result: Codable, Sendable, Equatable {
        /// Line of the pairs file, if any.
        public var line: Int?
        /// The prompt's last user message.
        public var prompt: String
        /// The score of a single response.
        public var score: Double?
        /// The chosen response's score.
        public var chosenScore: Double?
        /// The rejected response's score.
        public var rejectedScore: Double?
        /// chosen − rejected.
        public var margin: Double?

        /// JSON keys.
        enum CodingKeys: String, CodingKey {
            case line, prompt, score, margin
            case chosenScore = "chosen_score"
            case rejectedScore = "rejected_score"
        }
    }

    /// The reward model.
    let model: LlamaModel
    /// Its chat format.
    let format: ChatFormat
    /// The checkpoint path, for messages.
    let path: String

    /// Loads the reward model at `checkpoint`.
    /// - Throws: `StagesError.badInput` when it has no scalar head (a causal LM was given).
    public init(checkpoint: URL) throws {
        let (model, tokenizer) = try Checkpoint.load(from: checkpoint)
        guard model.config.hasScalarHead else {
            throw StagesError.badInput(path: checkpoint.path, message: "is not a reward model: it has no scalar head (score.weight); "
                + "pass a reward_model node's output or another LlamaForSequenceClassification checkpoint")
        }
        self.model = model
        format = ChatFormat(tokenizer: tokenizer)
        path = checkpoint.path
    }

    /// Scores every item, `batchSize` sequences per forward pass; `file` names the pairs file in errors.
    /// - Throws: `StagesError.badInput` naming the item's line when a sequence is longer than the model's context.
    public func score(_ items: [Item], file: String = "--prompt/--response", batchSize: Int = 8) throws -> [Result] {
        var sequences: [[Int32]] = []
        for item in items {
            for response in item.responses {
                let tokens = try format.encode(messages: item.prompt + response).tokens
                guard tokens.count <= model.config.maxPositionEmbeddings else {
                    throw StagesError.badInput(path: item.line.map { "\(file):\($0)" } ?? file,
                                               message: "is \(tokens.count) tokens with the chat markers, longer than the model's context of "
                                                + "\(model.config.maxPositionEmbeddings); shorten the prompt or the response")
                }
                sequences.append(tokens)
            }
        }
        var scores: [Double] = []
        var start = 0
        while start < sequences.count {
            let end = min(start + batchSize, sequences.count)
            let batch = try Batch(sequences: Array(sequences[start..<end]), padToken: model.config.padTokenId)
            scores += try model.forward(batch, keepingActivations: false).scores.map(Double.init)
            start = end
        }
        var next = 0
        return items.map { item in
            let own = Array(scores[next..<(next + item.responses.count)])
            next += item.responses.count
            let prompt = item.prompt.last { $0.role == "user" }?.content ?? ""
            if own.count == 2 {
                return Result(line: item.line, prompt: prompt, chosenScore: own[0], rejectedScore: own[1], margin: own[0] - own[1])
            }
            return Result(line: item.line, prompt: prompt, score: own.first)
        }
    }

    /// The items of a JSONL file, read by the one record reader (`RecordReader`): a line with `"chosen"` or `"rejected"` is a
    /// preference pair (`{"prompt", "chosen", "rejected"}` or whole conversations), any other an SFT record
    /// (`{"prompt", "response"}`, `{"prompt", "completion"}` or `{"messages"}`), strings or message lists (TRL's formats).
    /// - Throws: `StagesError.invalidData` naming the file and line of every bad line, and what it needs;
    ///   `StagesError.badInput` for a file without lines, or a `{"text"}` line (no prompt to score a response against).
    public static func items(at url: URL, file: String) throws -> [Item] {
        let read = try RecordReader().read(from: url, file: file) { object in
            object?["chosen"] != nil || object?["rejected"] != nil ? .preferences : .sft
        }
        return try read.valid(file: file, whenEmpty: "has no lines to score; write {\"prompt\", \"response\"} or "
                              + "{\"prompt\", \"chosen\", \"rejected\"} per line")
            .map { try item($0.record, line: $0.line, at: "\(file):\($0.line)") }
    }

    /// One record's item: a pair's prompt (with its context) and both responses, or a conversation split after its last
    /// user message (the prompt) and the assistant reply after it (the response).
    static func item(_ record: DataRecord, line: Int, at location: String) throws -> Item {
        switch record {
        case .preference(let pair):
            let prompt = pair.context.messages(user: pair.prompt).map { ChatMessage(role: $0.role, content: $0.content) }
            return Item(line: line, prompt: prompt, responses: [[ChatMessage(role: "assistant", content: pair.chosen)],
                                                                [ChatMessage(role: "assistant", content: pair.rejected)]])
        case .sft(let example):
            guard case .conversation(let messages) = example.body, let lastUser = messages.lastIndex(where: { $0.role == "user" }) else {
                throw StagesError.badInput(path: location, message: "has no prompt to score a response against; "
                                           + "write {\"prompt\", \"response\"} or {\"messages\"} ending with the assistant")
            }
            return Item(line: line, prompt: Array(messages[...lastUser]), responses: [Array(messages[(lastUser + 1)...])])
        default:
            throw StagesError.badInput(path: location, message: "is neither a response nor a pair to score")
        }
    }
}
