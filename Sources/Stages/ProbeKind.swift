import EngineCore
import Foundation
import Model
import Training
import World

/// One line of `generation_probe.jsonl`: a response of the probed model with its gold verdict.
struct ProbeRecord: Codable, Equatable {
    /// Prompt id from the prompt file, if any.
    var id: String?
    /// The prompt.
    var prompt: String
    /// Task family.
    var family: String
    /// Scenario.
    var scenario: String
    /// `greedy` or `sampled`.
    var mode: String
    /// Sampling temperature (0 for greedy).
    var temperature: Double
    /// The response.
    var response: String
    /// Whether generation reached EOS.
    var reachedEos: Bool
    /// Gold score in [0, 1].
    var gold: Double

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case id
        case prompt
        case family
        case scenario
        case mode
        case temperature
        case response
        case reachedEos = "reached_eos"
        case gold
    }
}

/// `probe`: greedy and sampled generations of a model on a fixed prompt set, scored by the gold judge.
///
/// Outputs `generations` (`generation_probe.jsonl`), `report` (Markdown with gold per family and
/// scenario plus samples; `reports/base_probe.md` for the base) and `summary` (JSON, the baseline
/// later stages compare against).
struct ProbeKind: StageKind {
    /// `probe`.
    let name = "probe"
    /// Version 3: prompts in the checkpoint's own chat template when it has one (BPE models); a LoRA adapter as the
    /// model (2: generation changes in Model; kind versions follow the code, see `GoldenOutputsTests`).
    let version = 3
    /// Probes a model's generations.
    let summary = "greedy and sampled generations of a model on a prompt set, scored by the gold judge"

    /// The params of a `probe` node, each declared once.
    struct Declarations: ParamDeclarations {
        /// Generation settings.
        let generation = GenerationSettings.Declarations(promptCount: 100)
        /// Sampled-pass temperature.
        let temperature = Param.number("temperature", default: 0.8, in: 0.01...10, "temperature of the sampled pass")
        /// Report title.
        let title = Param.text("title", default: nil, derived: "Generation probe: <model directory>", "report title")
        /// Samples in the report.
        let samplesShown = Param.integer("samples_shown", default: 12, in: 0...10_000, "samples listed in the report")
    }

    /// The declarations.
    static let declared = Declarations()
    /// Generation settings, sampling temperature, report title and sample count.
    var params: [ParamSpec] { Self.declared.specs }
    /// `model` (HF checkpoint) and `prompts` (prompt JSONL).
    let inputs: [InputSpec]? = ModelFiles.inputs("model") + [InputSpec("prompts", format: "prompts JSONL")]
    /// `generations`, `report`, `summary`.
    let outputs: [String]? = ["generations", "report", "summary"]
    /// Sampling uses the pipeline seed.
    var usesRandomness: Bool { true }

    /// Generates, scores and writes the probe.
    func run(_ context: StageContext) throws {
        let params = try checkedParams(context)
        let declared = Self.declared
        let settings = try declared.generation.settings(params)
        let temperature = try params.value(declared.temperature)
        let title = try params.value(declared.title, default: "Generation probe: \(context.inputs["model"]!.lastPathComponent)")
        let shown = try params.value(declared.samplesShown)
        let prompts = settings.take(try JSONFiles.prompts(context, role: "prompts"))
        let sampler = try ModelFiles.loadInput(context, role: "model").sampler(batchSize: settings.batchSize)
        let texts = prompts.map(\.prompt)
        context.progress.message("greedy generation on \(texts.count) prompts")
        let greedy = try GoldReport.score(sampler.complete(texts, temperature: 0, maxNewTokens: settings.maxNewTokens, seed: context.seed))
        context.progress.message("sampled generation at T=\(temperature)")
        let sampled = try GoldReport.score(sampler.complete(texts, temperature: temperature, maxNewTokens: settings.maxNewTokens,
                                                            seed: context.seed ^ 0xA5A5))
        let records = zip(prompts + prompts, greedy + sampled).map { prompt, item in
            ProbeRecord(id: prompt.id, prompt: prompt.prompt, family: item.gold.family.rawValue, scenario: item.gold.scenario.rawValue,
                        mode: item.completion.temperature == 0 ? "greedy" : "sampled", temperature: item.completion.temperature,
                        response: item.completion.text, reachedEos: item.completion.reachedEOS, gold: item.gold.value)
        }
        try JSONFiles.writeRecords(records, to: context.outputs["generations"]!)
        let summary = ProbeSummary(title: title, greedy: GoldReport(greedy), sampled: GoldReport(sampled), temperature: temperature)
        try JSONFiles.write(summary, to: context.outputs["summary"]!)
        let markdown = ProbeMarkdown(summary: summary, greedy: greedy, sampled: sampled, shown: shown).text
        try Data(markdown.utf8).write(to: context.outputs["report"]!)
        context.metrics.record("probe_gold_greedy", step: 0, value: summary.greedy.overall.meanGold)
        context.metrics.record("probe_gold_sampled", step: 0, value: summary.sampled.overall.meanGold)
    }
}
