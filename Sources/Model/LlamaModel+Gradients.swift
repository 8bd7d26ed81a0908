import Kernels

extension LlamaModel {
    /// Sets every gradient to zero (call before accumulating a new step).
    public func zeroGradients() {
        gradientStorage?.zero()
        adapter?.gradientStorage?.zero()
    }

    /// The accumulated gradient of one named tensor (zeros before any backward), or nil when it is frozen: a frozen
    /// tensor has no gradient storage.
    public func gradient(named name: String) throws -> [Float]? {
        guard let i = layout.sliceIndex(named: name) else { throw ModelError.unknownParameter(name) }
        guard let g = gradientLayout.offsets[i] else { return nil }
        return gradients.array(offset: g, count: layout.slices[i].count)
    }

    /// Bytes of gradient storage allocated now, the model's and its attached adapter's: the trainable tensors' size
    /// once they have been used, never a frozen base's.
    public var gradientBytes: Int {
        ((gradientStorage?.count ?? 0) + (adapter?.gradientStorage?.count ?? 0)) * MemoryLayout<Float>.size
    }

    /// Gradient pointer for the slice at parameter offset `offset`, or nil when it is frozen.
    func gradPointer(_ offset: Int) -> UnsafeMutablePointer<Float>? {
        guard let i = layout.sliceIndex(offset: offset), let g = gradientLayout.offsets[i] else { return nil }
        return gradients.pointer + g
    }

    /// Repacks the gradient buffer after `trainable` changed: slices that train before and after keep their
    /// accumulated gradients, frozen ones lose their storage, newly trainable ones start at zero.
    func regroupGradients(previous: GradientLayout) {
        let next = GradientLayout(layout: layout, trainable: trainable)
        gradientLayout = next
        guard let old = gradientStorage else { return }
        gradientStorage = nil
        guard next.count > 0 else { return }
        let buffer = FloatBuffer(count: next.count)
        for (i, slice) in layout.slices.enumerated() {
            guard let from = previous.offsets[i], let to = next.offsets[i] else { continue }
            buffer.copy(from: old, sourceOffset: from, offset: to, count: slice.count)
        }
        gradientStorage = buffer
    }
}
