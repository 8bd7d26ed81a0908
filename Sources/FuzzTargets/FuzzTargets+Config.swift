import Foundation
import Model

extension FuzzTargets {
    /// A scratch checkpoint directory of this process, holding the `config.json` under test.
    private static let checkpoint: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rlhf-fuzz-config-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// `config.json` through the checkpoint loader's decoding and validation, then the parameter layout it sizes.
    static let config = FuzzTarget("config", "a Hugging Face config.json (LlamaForCausalLM fields)") { data in
        try data.write(to: checkpoint.appendingPathComponent("config.json"))
        let config = try Checkpoint.loadConfig(from: checkpoint)
        _ = ParameterLayout(config: config).count
    }
}
