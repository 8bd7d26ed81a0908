import ArgumentParser

/// `rlhf model`: create, inspect and run checkpoints.
struct ModelCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Create, inspect and run LLaMA checkpoints (Hugging Face layout).",
        subcommands: [ModelInitCommand.self, ModelInfoCommand.self, ModelGenerateCommand.self, ModelLogitsCommand.self,
                      ModelConvertCommand.self, ModelTokenizeCommand.self, ModelRenderCommand.self,
                      ModelLoRAInitCommand.self, ModelScoreCommand.self]
    )
}
