/// Reading tensors as `Float`.
extension GGUFFile {
    /// The elements of `name` as `Float`, in ggml order (innermost dimension fastest, i.e. row-major in `shape`).
    ///
    /// Throws `tensorNotFound`, `unsupportedTensorType` for types without a dequantiser, and
    /// `truncated` or `cannotRead` if the file changed since it was opened.
    /// - Complexity: O(n) in the tensor's element count; reads only this tensor's bytes.
    public func floats(_ name: String) throws -> [Float] {
        try floats(info(name))
    }

    /// The elements of `info` (an entry of this file) as `Float`; see `floats(_:)`.
    public func floats(_ info: GGUFTensorInfo) throws -> [Float] {
        guard info.type.isDequantisable else {
            throw GGUFError.unsupportedTensorType(file: source, tensor: info.name, type: info.type.name)
        }
        let raw = try rawBytes(info)
        return Dequantize.floats(info.type, raw, count: info.elementCount)
    }
}
