/// A fixed-size, zero-initialised, heap-allocated Float buffer that owns its memory.
///
/// Parameters, gradients, optimizer moments and activations each live in one of these,
/// with named slices addressed by offset.
public final class FloatBuffer {
    /// Number of Float elements.
    public let count: Int
    /// Base address of the storage; valid for the lifetime of the buffer.
    public let pointer: UnsafeMutablePointer<Float>

    /// Allocates `count` zeroed elements.
    public init(count: Int) {
        self.count = count
        pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    deinit { pointer.deallocate() }

    /// Sets every element to zero.
    public func zero() { pointer.update(repeating: 0, count: count) }

    /// Copies `count` elements starting at `offset` into a new array.
    public func array(offset: Int = 0, count: Int? = nil) -> [Float] {
        let n = count ?? (self.count - offset)
        return Array(UnsafeBufferPointer(start: pointer + offset, count: n))
    }

    /// Copies `values` into the buffer starting at `offset`.
    public func copy(from values: [Float], offset: Int = 0) {
        precondition(offset + values.count <= count, "FloatBuffer.copy out of range")
        values.withUnsafeBufferPointer { src in
            guard let base = src.baseAddress else { return }
            (pointer + offset).update(from: base, count: values.count)
        }
    }

    /// Copies `count` elements from another buffer.
    public func copy(from other: FloatBuffer, sourceOffset: Int, offset: Int, count: Int) {
        (pointer + offset).update(from: other.pointer + sourceOffset, count: count)
    }
}
