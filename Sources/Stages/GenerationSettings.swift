import EngineCore

/// Prompt count, response length and batch size for stages that generate on a prompt set.
struct GenerationSettings {
    /// Prompts used (the first ones of the file); 0 means all.
    var promptCount: Int
    /// Tokens generated at most per response.
    var maxNewTokens: Int
    /// Prompts per generation batch.
    var batchSize: Int

    /// The `prompt_count`, `max_new_tokens` and `generation_batch` params, declared with a kind's defaults.
    struct Declarations: ParamDeclarations {
        /// Prompts used from the file (0: all).
        let promptCount: Param<Int>
        /// Tokens generated at most per response.
        let maxNewTokens: Param<Int>
        /// Prompts per generation batch.
        let batchSize = Param.integer("generation_batch", default: 64, in: 1...4096, "prompts per generation batch")

        /// The declarations with a kind's defaults.
        init(promptCount: Int, maxNewTokens: Int = 40) {
            self.promptCount = .integer("prompt_count", default: promptCount, in: 0...10_000_000, "prompts used from the file (0: all)")
            self.maxNewTokens = .integer("max_new_tokens", default: maxNewTokens, in: 1...4096, "tokens generated at most per response")
        }

        /// The settings a node's params describe.
        func settings(_ params: Params) throws -> GenerationSettings {
            GenerationSettings(promptCount: try params.value(promptCount), maxNewTokens: try params.value(maxNewTokens),
                               batchSize: try params.value(batchSize))
        }
    }

    /// The first `promptCount` items (all when 0).
    func take<T>(_ items: [T]) -> [T] {
        promptCount == 0 ? items : Array(items.prefix(promptCount))
    }
}
