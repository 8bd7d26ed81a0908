/// One tensor's entry in a GGUF header, validated against the file.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name, e.g. `blk.0.attn_q.weight`.
    public let name: String
    /// The element type.
    public let type: GGMLType
    /// ggml's dimensions, innermost (contiguous) first: a (rows, columns) matrix is `[columns, rows]`.
    public let dimensions: [Int]
    /// The tensor's bytes, relative to the start of the data section.
    public let byteRange: Range<UInt64>

    /// The dimensions outermost first (row-major, as PyTorch and safetensors write them).
    public var shape: [Int] { dimensions.reversed() }

    /// The number of elements (validated not to overflow when the file was read).
    public var elementCount: Int { dimensions.reduce(1, *) }
}
