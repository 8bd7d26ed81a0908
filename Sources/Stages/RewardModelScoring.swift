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

    /// The items of a JSONL file: per line `{"prompt", "response"}` (or `"completion"`) or `{"prompt", "chosen", "rejected"}`,
    /// strings or message lists (TRL's formats); `file` names it in errors.
    /// - Throws: `StagesError.badInput` naming the file and line of the first bad line, and what it needs.
    public static func items(at url: URL, file: String) throws -> [Item] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StagesError.badInput(path: file, message: "cannot read the file; check the path")
        }
        var items: [Item] = []
        for (index, raw) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let bytes = [UInt8](raw.last == 0x0D ? raw.dropLast() : raw)
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let where_ = "\(file):\(index + 1)"
            let value: JSONValue
            do {
                value = try JSONValue.parse(bytes, file: where_)
            } catch {
                throw StagesError.badInput(path: where_, message: "is not JSON (\(error)); write one object per line")
            }
            items.append(try item(value, line: index + 1, at: where_))
        }
        guard !items.isEmpty else { throw StagesError.badInput(path: file, message: "has no lines to score") }
        return items
    }

    /// One line's item.
    static func item(_ value: JSONValue, line: Int, at location: String) throws -> Item {
        let accepted = "expected {\"prompt\", \"response\"} or {\"prompt\", \"chosen\", \"rejected\"} (strings or message lists)"
        guard let object = value.objectValue else { throw StagesError.badInput(path: location, message: "is not a JSON object; \(accepted)") }
        guard let promptValue = object["prompt"] else { throw StagesError.badInput(path: location, message: "has no \"prompt\"; \(accepted)") }
        let prompt = try messages(promptValue, role: "user", field: "prompt", at: location)
        let keys = object["chosen"] != nil || object["rejected"] != nil ? ["chosen", "rejected"]
            : [object["response"] == nil && object["completion"] != nil ? "completion" : "response"]
        let responses = try keys.map { key -> [ChatMessage] in
            guard let field = object[key] else { throw StagesError.badInput(path: location, message: "has no \"\(key)\"; \(accepted)") }
            return try messages(field, role: "assistant", field: key, at: location)
        }
        return Item(line: line, prompt: prompt, responses: responses)
    }

    /// A string as one message of `role`, or a list of `{"role", "content"}` messages.
    static func messages(_ value: JSONValue, role: String, field: String, at location: String) throws -> [ChatMessage] {
        if let text = value.stringValue { return [ChatMessage(role: role, content: text)] }
        guard case let .array(list) = value, !list.isEmpty else {
            throw StagesError.badInput(path: location, message: "field \"\(field)\" must be a string or a non-empty list of {\"role\", \"content\"} messages")
        }
        return try list.enumerated().map { index, item in
            guard let message = item.objectValue, let role = message["role"]?.stringValue, let content = message["content"]?.stringValue else {
                throw StagesError.badInput(path: location, message: "\(field)[\(index)] must be {\"role\": string, \"content\": string}")
            }
            return ChatMessage(role: role, content: content)
        }
    }
}
