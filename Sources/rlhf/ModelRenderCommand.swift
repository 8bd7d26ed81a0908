import ArgumentParser
import ChatTemplate
import Foundation
import Model

/// `rlhf model render`: a checkpoint's own chat template applied to a conversation, as transformers renders it.
struct ModelRenderCommand: ParsableCommand {
    /// Command name, help and subcommands.
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Apply a checkpoint's chat template to a conversation (byte for byte as transformers does).",
        discussion: """
        MODEL is a Hugging Face directory with chat_template.jinja or a chat_template in tokenizer_config.json, \
        or a GGUF file with tokenizer.chat_template. The messages file is a JSON list of {"role", "content"} \
        messages, or {"messages": [...], "tools": [...]}. Without --json the rendered text is written exactly, \
        with no newline added.
        """)

    /// Checkpoint directory or GGUF file.
    @Argument(help: "Hugging Face checkpoint directory or GGUF file.")
    var model: String

    /// The conversation file.
    @Option(help: "JSON file with a list of {\"role\", \"content\"} messages.")
    var messages: String

    /// Append the template's assistant header so a model can continue.
    @Flag(help: "Append the assistant header (add_generation_prompt=True).")
    var addGenerationPrompt = false

    /// Pick a named template (tokenizer_config.json's list form, additional_chat_templates/).
    @Option(help: "Name of the template when the checkpoint has several (default, tool_use, ...).")
    var templateName: String?

    /// Print JSON with the text, the assistant spans, the token ids and the loss mask.
    @Flag(help: "Print JSON {text, assistant_spans, ids, loss_mask}: spans are UTF-8 byte ranges; the mask has 1 on tokens of assistant turns.")
    var json = false

    /// Runs the command.
    func run() throws {
        let url = URL(fileURLWithPath: model)
        let (conversation, variables) = try ModelChatTemplate.readConversation(URL(fileURLWithPath: messages))
        let gguf = Checkpoint.isGGUF(url) ? try GGUFCheckpoint.open(url) : nil
        let loaded = try gguf.map { try ModelChatTemplate.load(gguf: $0) }
            ?? ModelChatTemplate.load(from: url, name: templateName, tools: variables["tools"] != nil)
        guard let template = loaded else {
            throw ValidationError(gguf == nil
                ? "\(model) has no chat template: add chat_template.jinja or a \"chat_template\" to tokenizer_config.json"
                : "\(model) has no tokenizer.chat_template")
        }
        guard json else {
            let text = try template.template.render(messages: conversation, addGenerationPrompt: addGenerationPrompt,
                                                    specialTokens: template.specialTokens, variables: variables)
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let encoding = try template.encode(messages: conversation, addGenerationPrompt: addGenerationPrompt,
                                           tokenizer: try gguf.map { try BPETokenizer(gguf: $0) } ?? TokenizerFiles.load(from: url),
                                           variables: variables)
        print(try encoding.jsonLine())
    }
}
