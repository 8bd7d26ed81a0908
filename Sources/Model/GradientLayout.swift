/// Where each trainable tensor's gradient lives in a model's gradient buffer, which holds the trainable slices
/// only, packed in parameter-layout order.
///
/// With every slice trainable the packing is the parameter layout itself (offset for offset), so full fine-tuning
/// reads and writes exactly as with a parameter-sized buffer; a frozen slice gets no storage. Slices that are adjacent
/// in the parameters and both train stay adjacent here, so a fused group (q|k|v, gate|up) that trains whole keeps one
/// weight-gradient product.
struct GradientLayout: Equatable {
    /// Per slice of the parameter layout: its gradient's offset in the buffer, or nil when it is frozen.
    let offsets: [Int?]
    /// Floats the buffer holds: the trainable slices' element count.
    let count: Int

    /// Packs the slices of `layout` whose `trainable` flag is set.
    init(layout: ParameterLayout, trainable: [Bool]) {
        var offsets: [Int?] = []
        offsets.reserveCapacity(layout.slices.count)
        var next = 0
        for (slice, trains) in zip(layout.slices, trainable) {
            offsets.append(trains ? next : nil)
            if trains { next += slice.count }
        }
        self.offsets = offsets
        count = next
    }
}
