/// One tensor's entry in a safetensors header, validated against the file.
public struct SafeTensorInfo: Sendable, Equatable {
    /// The tensor's name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    public let name: String
    /// The element type.
    public let dtype: SafeTensorsDType
    /// The dimensions, outermost first (row-major); `[]` is a scalar.
    public let shape: [Int]
    /// The tensor's bytes, relative to the start of the data section (after the header).
    public let byteRange: Range<Int>

    /// Creates an entry; `SafeTensorsFile` only creates entries it has validated.
    public init(name: String, dtype: SafeTensorsDType, shape: [Int], byteRange: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.byteRange = byteRange
    }

    /// The number of elements: the product of `shape` (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}
