import EngineCore
import Model

/// The `dtype` param of the stages that write checkpoints (sft, reward_model, ppo, pretrain, import).
enum CheckpointDTypeParam {
    /// Its declaration, part of each of those kinds' declarations.
    static let param = Param.choice("dtype", default: CheckpointDType.f32,
                                    "weights dtype of the written checkpoint (bf16: half the store; training stays f32)")

    /// The `dtype` of a node.
    static func read(_ params: Params) throws -> CheckpointDType {
        try params.value(param)
    }
}
