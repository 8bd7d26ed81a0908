import ArgumentParser
import CatalogReports
import Engine
import EngineCore
import Foundation

/// `rlhf report`: writes `reports/<experiment>/index.html` and `summary.md` from the catalog and the artifacts.
struct ReportCommand: ParsableCommand {
    /// Command name and abstract.
    static let configuration = CommandConfiguration(commandName: "report",
                                                    abstract: "Write the self-contained HTML report and summary.md of an experiment.")

    @OptionGroup var workspace: WorkspaceOptions

    /// The experiment (its `experiments/<name>/pipeline.json`); default: the --pipeline file's experiment.
    @Option(help: "Experiment name (reads experiments/<name>/pipeline.json, or the root pipeline when it is that experiment).")
    var experiment: String?

    /// Output directory.
    @Option(help: "Output directory (default reports/<experiment>).")
    var out: String?

    /// Other experiments to overlay.
    @Option(help: ArgumentHelp("Overlay other experiments' curves (SFT, reward-model training and calibration, PPO, reward vs length) and final scores; "
                               + "repeat it or separate names with commas (e.g. length-bias,style-noise).", valueName: "experiment"))
    var compare: [String] = []

    /// Linear loss axes.
    @Flag(help: "Draw loss curves on a linear axis (default: log scale).")
    var linearLoss = false

    /// JSON output.
    @Flag(help: "Print the written paths and every chart's data (title, axes, series points, bars) as JSON.")
    var json = false

    /// Runs the command.
    func run() throws {
        let workspace = try self.workspace.open()
        let pipeline = try load(experiment, workspace)
        let others = try compare.flatMap { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
            .filter { !$0.isEmpty }.map { try load($0, workspace) }
        let directory = URL(fileURLWithPath: out ?? "reports/\(pipeline.experiment)", relativeTo: workspace.root)
        let written = try ExperimentReport(workspace: workspace, pipeline: pipeline, registry: KindRegistry.all)
            .write(to: directory, compare: others, linearLoss: linearLoss)
        if json { return try JSONOutput.print(ReportOutput(html: written.html.path, summary: written.summary.path, figures: written.figures)) }
        print("wrote \(written.html.path)")
        print("wrote \(written.summary.path)")
    }

    /// The pipeline of experiment `name` (nil: the --pipeline file).
    private func load(_ name: String?, _ workspace: Workspace) throws -> Pipeline {
        guard let name else { return try self.workspace.loadPipeline(workspace) }
        let loader = PipelineLoader(registry: KindRegistry.all)
        for candidate in ["experiments/\(name)/pipeline.json", self.workspace.pipeline] {
            let path = candidate.hasPrefix("/") ? candidate : workspace.absolute(candidate)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let pipeline = try loader.load(path: path)
            if pipeline.experiment == name { return pipeline }
        }
        throw EngineError.notFound(what: "experiment '\(name)'", hint: "expected experiments/\(name)/pipeline.json, or a root pipeline with \"experiment\": \"\(name)\"")
    }
}

