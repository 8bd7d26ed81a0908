import EngineCore
import Model

/// The `dtype` param of the stages that write checkpoints (sft, reward_model, ppo, pretrain, import).
enum CheckpointDTypeParam {
    /// Its declaration: the weights dtype of the written checkpoint.
    static let param = Param<CheckpointDType>.choice("dtype", default: .f32,
                                                      "weights dtype of the written checkpoint: f32 or bf16 (half the store; training stays f32)")

    /// The `dtype` of a node (default `f32`).
    static func read(_ params: Params) throws -> CheckpointDType {
        try params.value(param)
    }
}
