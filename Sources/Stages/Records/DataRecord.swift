import EngineCore
import Model
import World

/// One valid record of a data file, in the format the file was read as.
enum DataRecord: Equatable, Sendable {
    /// A demonstration.
    case sft(SFTExample)
    /// A preference pair.
    case preference(PreferenceRecord)
    /// A prompt.
    case prompt(PromptRecord)
    /// A human verdict on a given pair.
    case label(JudgeLabel)
    /// A command judge's answer to one request.
    case verdict(id: String, PairVerdict)

    /// The record's text fields for the gates, in format order (system first when there is one).
    var textFields: [(name: String, text: String)] {
        switch self {
        case .sft(let example):
            return example.textFields
        case .preference(let pair):
            return Self.contextFields(pair.context) + [("prompt", pair.prompt), ("chosen", pair.chosen), ("rejected", pair.rejected)]
        case .prompt(let prompt):
            return Self.contextFields(prompt.context) + [("prompt", prompt.prompt)]
        case .label(let label):
            return [("prompt", label.prompt), ("response_a", label.responseA), ("response_b", label.responseB)]
        case .verdict(_, let verdict):
            return verdict.reason.map { [("reason", $0)] } ?? []
        }
    }

    /// The system message and earlier turns of a prompt or preference record (empty for other records).
    var promptContext: PromptContext {
        switch self {
        case .preference(let pair): return pair.context
        case .prompt(let prompt): return prompt.context
        default: return PromptContext()
        }
    }

    /// A prompt context's text fields for the gates: `system`, then the earlier turns as `history`.
    private static func contextFields(_ context: PromptContext) -> [(name: String, text: String)] {
        (context.system.map { [("system", $0)] } ?? []) + (context.turns.isEmpty ? [] : [("history", context.turns.joined(separator: "\n"))])
    }

    /// Decodes one JSON object as `format`, or lists every problem of it.
    static func decode(_ members: [String: JSONValue], as format: RecordFormat) -> Result<DataRecord, RecordProblems> {
        var fields = RecordFields(members)
        let record: DataRecord
        switch format {
        case .sft: record = .sft(sft(&fields))
        case .preferences: record = .preference(preference(&fields))
        case .prompts: record = .prompt(prompt(&fields))
        case .labels:
            record = .label(JudgeLabel(prompt: fields.requiredString("prompt"), responseA: fields.requiredString("response_a"),
                                       responseB: fields.requiredString("response_b"),
                                       verdict: verdict(&fields)))
        case .verdicts:
            let id = fields.optionalString("id", allowInteger: true)
            if id == nil, !fields.problems.contains(where: { $0.field == "id" }) { fields.fail("id", "missing_field", "missing required string field") }
            record = .verdict(id: id ?? "", verdict(&fields))
        }
        return fields.problems.isEmpty ? .success(record) : .failure(RecordProblems(problems: fields.problems))
    }

    /// `{"messages"}`, `{"text"}`, or `{"prompt"}` with `"response"` or `"completion"`.
    private static func sft(_ fields: inout RecordFields) -> SFTExample {
        let shapes = ["messages", "text", "prompt"].filter(fields.has)
        guard shapes.count == 1 else {
            fields.fail(shapes.first ?? "prompt", shapes.isEmpty ? "missing_field" : "invalid_record",
                        shapes.isEmpty ? "missing required field: \"prompt\", \"messages\" or \"text\""
                                       : "has both \(shapes.map { "\"\($0)\"" }.joined(separator: " and ")); use one shape per line")
            return SFTExample(.text(""))
        }
        switch shapes[0] {
        case "text":
            return SFTExample(.text(fields.requiredString("text")))
        case "messages":
            guard case .array(let items) = fields.members["messages"]! else {
                fields.fail("messages", "wrong_type", "expected a list of messages, found \(fields.members["messages"]!.typeName)")
                return SFTExample(.text(""))
            }
            guard let messages = fields.messages(items, at: "messages"), fields.checkOrder(messages, at: "messages") else {
                return SFTExample(.text(""))
            }
            if messages.last?.role != "assistant" {
                fields.fail("messages[\(messages.count - 1)].role", "invalid_record", "the conversation must end with an assistant message")
            }
            return SFTExample(.conversation(messages))
        default:
            let answerKeys = ["response", "completion"].filter(fields.has)
            if answerKeys.count == 2 { fields.fail("completion", "invalid_record", "has both \"response\" and \"completion\"; keep one") }
            let prompt = promptMessages(&fields)
            let answer = fields.textOrMessages(answerKeys.first ?? "response")
            guard let prompt, let answer else { return SFTExample(.text("")) }
            let key = answerKeys.first ?? "response"
            let reply: [ChatMessage]
            switch answer {
            case .text(let text): reply = [ChatMessage(role: "assistant", content: text)]
            case .messages(let messages):
                guard messages.first?.role == "assistant" else {
                    fields.fail("\(key)[0].role", "invalid_record", "a completion starts with an assistant message")
                    return SFTExample(.text(""))
                }
                reply = messages
            }
            let conversation = prompt + reply
            guard fields.checkOrder(conversation, at: key) else { return SFTExample(.text("")) }
            if conversation.last?.role != "assistant" {
                fields.fail(key, "invalid_record", "the completion must end with an assistant message")
            }
            return SFTExample(.conversation(conversation))
        }
    }

    /// `prompt` (string or messages) with `chosen`/`rejected`, or whole `chosen`/`rejected` conversations.
    private static func preference(_ fields: inout RecordFields) -> PreferenceRecord {
        var record = PreferenceRecord(prompt: "", chosen: "", rejected: "")
        let chosen = fields.textOrMessages("chosen"), rejected = fields.textOrMessages("rejected")
        record.reason = fields.optionalString("reason")
        record.source = fields.optionalString("source")
        let scoreChosen = fields.optionalNumber("score_chosen"), scoreRejected = fields.optionalNumber("score_rejected")
        let margin = fields.optionalNumber("margin")
        switch (scoreChosen, scoreRejected, margin) {
        case let (c?, r?, nil): record.margin = c - r
        case (nil, nil, let m): record.margin = m
        case (_?, _?, _?): fields.fail("margin", "invalid_record", "give either \"margin\" or \"score_chosen\"/\"score_rejected\", not both")
        default: fields.fail(scoreChosen == nil ? "score_chosen" : "score_rejected", "missing_field",
                             "\"score_chosen\" and \"score_rejected\" come together")
        }
        var context: [ChatMessage]
        var answers: [(key: String, messages: [ChatMessage])] = []
        if fields.has("prompt") {
            guard let prompt = promptMessages(&fields), let chosen, let rejected else { return record }
            context = prompt
            for (key, value) in [("chosen", chosen), ("rejected", rejected)] {
                switch value {
                case .text(let text): answers.append((key, [ChatMessage(role: "assistant", content: text)]))
                case .messages(let messages): answers.append((key, messages))
                }
            }
        } else {
            guard case .messages(let left)? = chosen, case .messages(let right)? = rejected else {
                if chosen != nil, rejected != nil {
                    fields.fail("prompt", "missing_field", "missing \"prompt\"; without it chosen and rejected must be whole conversations (message lists) sharing their prompt")
                }
                return record
            }
            let shared = zip(left, right).prefix { $0.0 == $0.1 }.count
            context = Array(left.prefix(shared))
            answers = [("chosen", Array(left.dropFirst(shared))), ("rejected", Array(right.dropFirst(shared)))]
            if context.isEmpty {
                fields.fail("chosen", "invalid_record", "chosen and rejected share no prompt messages; add \"prompt\" or start both with the same user message")
                return record
            }
        }
        for (key, messages) in answers where messages.count != 1 || messages[0].role != "assistant" {
            fields.fail(key, "invalid_record", "after the prompt, \(key) must be exactly one assistant message, found "
                        + (messages.isEmpty ? "nothing" : "roles [\(messages.map(\.role).joined(separator: ", "))]"))
        }
        guard fields.problems.isEmpty else { return record }
        guard fields.checkOrder(context, at: "chosen"), let parts = split(context) else {
            if fields.problems.isEmpty {
                fields.fail("chosen", "invalid_record", "the prompt chosen and rejected share must end with a user message, found roles ["
                            + context.map(\.role).joined(separator: ", ") + "]")
            }
            return record
        }
        (record.prompt, record.context) = parts
        record.chosen = answers[0].messages[0].content
        record.rejected = answers[1].messages[0].content
        return record
    }

    /// `"winner"` ("a", "b" or "tie") and an optional `"reason"`.
    private static func verdict(_ fields: inout RecordFields) -> PairVerdict {
        let raw = fields.requiredString("winner")
        let winner = PairWinner(rawValue: raw.lowercased())
        if winner == nil, !raw.isEmpty { fields.fail("winner", "invalid_record", "must be \"a\", \"b\" or \"tie\", found \"\(raw)\"") }
        return PairVerdict(winner: winner ?? .tie, reason: fields.optionalString("reason"), probabilityA: nil)
    }

    /// `{"prompt"}` with optional id, scenario and family.
    private static func prompt(_ fields: inout RecordFields) -> PromptRecord {
        var record = PromptRecord(prompt: "")
        let prompt = promptMessages(&fields)
        record.id = fields.optionalString("id", allowInteger: true)
        record.scenario = fields.optionalString("scenario")
        record.family = fields.optionalString("family")
        if let prompt, let parts = split(prompt) {
            (record.prompt, record.context) = parts
        }
        return record
    }

    /// The `prompt` field as messages ending with the user (a string becomes one user message).
    private static func promptMessages(_ fields: inout RecordFields) -> [ChatMessage]? {
        guard let value = fields.textOrMessages("prompt") else { return nil }
        switch value {
        case .text(let text):
            return [ChatMessage(role: "user", content: text)]
        case .messages(let messages):
            guard fields.checkOrder(messages, at: "prompt") else { return nil }
            guard messages.last?.role == "user" else {
                fields.fail("prompt[\(messages.count - 1)].role", "invalid_record", "a prompt ends with a user message")
                return nil
            }
            return messages
        }
    }

    /// A checked prompt conversation (optional system, turns alternating from user, ending with the user) as its
    /// final user message and the context before it; nil when it does not end with a user message.
    private static func split(_ messages: [ChatMessage]) -> (String, PromptContext)? {
        guard let last = messages.last, last.role == "user" else { return nil }
        let system = messages.first?.role == "system" ? messages[0].content : nil
        let turns = messages.dropLast().filter { $0.role != "system" }.map(\.content)
        return (last.content, PromptContext(system: system, turns: turns))
    }
}

/// Every problem of one record line.
struct RecordProblems: Error {
    /// The problems in the order found.
    var problems: [RecordProblem]
}
