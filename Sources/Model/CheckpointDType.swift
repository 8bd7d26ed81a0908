import SafeTensors

/// The element type a checkpoint's weights are written in; loading reads F32, F16 and BF16 alike.
public enum CheckpointDType: String, CaseIterable, Codable, Sendable {
    /// 4 bytes a parameter, bit-exact (the default).
    case f32
    /// bfloat16, 2 bytes a parameter, rounded to nearest even: half the store.
    case bf16

    /// The safetensors dtype of the weights file.
    var safeTensorsDType: SafeTensorsDType { self == .bf16 ? .BF16 : .F32 }

    /// The `torch_dtype` written into config.json.
    public var torchName: String { self == .bf16 ? "bfloat16" : "float32" }
}
