import Kernels

extension LlamaModel {
    /// Runs the trunk on a batch and returns the final norm's output at `rows` (flat b·T + t indices), rows.count × C:
    /// the features a value or score head reads. With `keepingActivations` the activations stay for
    /// `backward(dHidden:)`; without, the pass only scores, in one layer's worth of memory.
    ///
    /// With an adapter attached, the adapter takes part, so one base serves several adapters in turn.
    public func finalHiddenStates(_ batch: Batch, rows: [Int], keepingActivations: Bool = true) throws -> [Float] {
        _ = try forwardIntoActivations(batch, keeping: keepingActivations)
        return try lastFinalHiddenStates(rows: rows)
    }

    /// The final norm's output at `rows` (rows.count × C) of a scoring forward (no activations kept for backward), in
    /// `inferencePrecision` (bf16 products from a snapshot of the weights when that is bf16): the features of a reward
    /// model's score head when the scores are all that is wanted. A scalar-head model (no LM head to pack) runs in fp32.
    public func inferenceFinalHiddenStates(_ batch: Batch, rows: [Int]) throws -> [Float] {
        _ = try forwardIntoActivations(batch, packed: inferencePackedWeights(), keeping: false)
        return try lastFinalHiddenStates(rows: rows)
    }

    /// The final norm's output at `rows` of the last forward pass of either kind (e.g. the one inside
    /// `nextTokenLogProbs`), rows.count × C, without running the model again.
    public func lastFinalHiddenStates(rows: [Int]) throws -> [Float] {
        guard let (a, batch) = lastForward else {
            throw ModelError.invalidState("final hidden states need a forward pass first")
        }
        let N = batch.batchSize * batch.seqLen, C = config.hiddenSize
        var out = [Float](repeating: 0, count: rows.count * C)
        try out.withUnsafeMutableBufferPointer { o in
            for (i, row) in rows.enumerated() {
                guard row >= 0 && row < N else { throw ModelError.shapeMismatch(what: "row index below B·T", expected: N, got: row) }
                (o.baseAddress! + i * C).update(from: a.lnf.pointer + row * C, count: C)
            }
        }
        return out
    }

    /// Backpropagates a gradient of the final norm's output (rows.count × C at `rows` of the last
    /// `finalHiddenStates` batch; zero elsewhere) through the trunk, accumulating into what trains.
    public func backward(dHidden: [Float], rows: [Int]) throws {
        guard let a = activations, let batch = lastBatch else {
            throw ModelError.invalidState("backward needs a forward pass on the same batch first")
        }
        let B = batch.batchSize, T = batch.seqLen, N = B * T, C = config.hiddenSize
        guard dHidden.count == rows.count * C else {
            throw ModelError.shapeMismatch(what: "dHidden (rows × C)", expected: rows.count * C, got: dHidden.count)
        }
        guard trunkNeedsGradient else { return }
        a.dLn.pointer.update(repeating: 0, count: N * C)
        try dHidden.withUnsafeBufferPointer { d in
            for (i, row) in rows.enumerated() {
                guard row >= 0 && row < N else { throw ModelError.shapeMismatch(what: "row index below B·T", expected: N, got: row) }
                let dst = a.dLn.pointer + row * C, src = d.baseAddress! + i * C
                for j in 0..<C { dst[j] += src[j] }
            }
        }
        backwardTrunk(a, batch: B, seqLen: T)
    }
}
