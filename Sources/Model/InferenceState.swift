import Kernels

/// The KV cache and scratch buffers of batched incremental decoding.
final class InferenceState {
    /// Sequences B.
    let batch: Int
    /// Positions each sequence can hold.
    let capacity: Int
    /// Per layer: keys and values (B,cap,NKV,HD), keys already rotated.
    let kCache: [FloatBuffer], vCache: [FloatBuffer]
    /// Residual stream and normed input of the chunk (B,T,C).
    let x: FloatBuffer, ln: FloatBuffer
    /// Fused queries, new keys and new values of the chunk (B,T,QKV), and the attention output (B,T,NH,HD).
    let qkv: FloatBuffer, attOut: FloatBuffer
    /// MLP scratch of the chunk: fused gate|up (B,T,2·I) and silu(gate)·up (B,T,I).
    let gateUp: FloatBuffer, act: FloatBuffer
    /// Rows whose logits are wanted (B,C), their norm, RMSNorm rstd scratch, and the logits (B,V).
    let rows: FloatBuffer, rowsNorm: FloatBuffer, rstd: FloatBuffer, logits: FloatBuffer

    /// Allocates a cache for `batch` sequences of up to `capacity` tokens, processing ≤ `chunk` tokens a call.
    init(config c: LlamaConfig, batch B: Int, capacity: Int, chunk: Int) {
        batch = B
        self.capacity = capacity
        let N = B * chunk, C = c.hiddenSize, I = c.intermediateSize
        let QC = c.numAttentionHeads * c.headDim, KC = c.numKeyValueHeads * c.headDim
        kCache = (0..<c.numHiddenLayers).map { _ in FloatBuffer(count: B * capacity * KC) }
        vCache = (0..<c.numHiddenLayers).map { _ in FloatBuffer(count: B * capacity * KC) }
        x = FloatBuffer(count: N * C); ln = FloatBuffer(count: N * C)
        qkv = FloatBuffer(count: N * (QC + 2 * KC)); attOut = FloatBuffer(count: N * QC)
        gateUp = FloatBuffer(count: N * 2 * I); act = FloatBuffer(count: N * I)
        rows = FloatBuffer(count: B * C); rowsNorm = FloatBuffer(count: B * C)
        rstd = FloatBuffer(count: N)
        logits = FloatBuffer(count: B * c.vocabSize)
    }

    /// Copies the first `positions` cached keys and values of cache row `source` over row `target`, in every layer.
    func moveSequence(fromRow source: Int, toRow target: Int, positions: Int) {
        let perPosition = kCache.isEmpty ? 0 : kCache[0].count / (batch * capacity)
        let count = positions * perPosition
        for cache in kCache + vCache {
            let base = cache.pointer
            (base + target * capacity * perPosition).update(from: base + source * capacity * perPosition, count: count)
        }
    }
}
