import EngineCore

/// Prompt count, response length and batch size for stages that generate on a prompt set.
struct GenerationSettings {
    /// Prompts used (the first ones of the file); 0 means all.
    var promptCount: Int
    /// Tokens generated at most per response.
    var maxNewTokens: Int
    /// Prompts per generation batch.
    var batchSize: Int

    /// Reads `prompt_count`, `max_new_tokens`, `generation_batch` with the given defaults.
    init(_ params: Params, promptCount: Int, maxNewTokens: Int = 40) throws {
        self.promptCount = try params.int("prompt_count", default: promptCount, in: 0...10_000_000)
        self.maxNewTokens = try params.int("max_new_tokens", default: maxNewTokens, in: 1...4096)
        batchSize = try params.int("generation_batch", default: 64, in: 1...4096)
    }

    /// The param declarations these settings read.
    static let specs = [
        ParamSpec("prompt_count", .integer, summary: "prompts used from the file (0: all)"),
        ParamSpec("max_new_tokens", .integer, summary: "tokens generated at most per response"),
        ParamSpec("generation_batch", .integer, summary: "prompts per generation batch"),
    ]

    /// The first `promptCount` items (all when 0).
    func take<T>(_ items: [T]) -> [T] {
        promptCount == 0 ? items : Array(items.prefix(promptCount))
    }
}
