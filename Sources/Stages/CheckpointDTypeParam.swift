import EngineCore
import Model

/// The `dtype` param of the stages that write checkpoints (sft, reward_model, ppo, pretrain, import).
enum CheckpointDTypeParam {
    /// Its declaration.
    static let spec = ParamSpec("dtype", .string, summary: "weights dtype of the written checkpoint: f32 (default) "
                                + "or bf16 (half the store; training stays f32)")

    /// The `dtype` of a node (default `f32`).
    static func read(_ params: Params) throws -> CheckpointDType {
        let name = try params.choice("dtype", default: CheckpointDType.f32.rawValue,
                                     among: CheckpointDType.allCases.map(\.rawValue))
        return CheckpointDType(rawValue: name)!
    }
}
