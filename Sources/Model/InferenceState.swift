import Kernels

/// The KV cache and scratch buffers of batched incremental decoding.
final class InferenceState {
    /// Sequences B.
    let batch: Int
    /// Positions each sequence can hold.
    let capacity: Int
    /// Per layer: keys and values (B,cap,NKV,HD), keys already rotated.
    let kCache: [FloatBuffer], vCache: [FloatBuffer]
    /// Residual stream, normed input and projection scratch of the chunk (B,T,C).
    let x: FloatBuffer, ln: FloatBuffer, proj: FloatBuffer
    /// Queries, new keys, new values and attention output of the chunk.
    let q: FloatBuffer, k: FloatBuffer, v: FloatBuffer, attOut: FloatBuffer
    /// MLP scratch of the chunk (B,T,I).
    let gate: FloatBuffer, up: FloatBuffer, act: FloatBuffer
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
        x = FloatBuffer(count: N * C); ln = FloatBuffer(count: N * C); proj = FloatBuffer(count: N * C)
        q = FloatBuffer(count: N * QC); k = FloatBuffer(count: N * KC); v = FloatBuffer(count: N * KC)
        attOut = FloatBuffer(count: N * QC)
        gate = FloatBuffer(count: N * I); up = FloatBuffer(count: N * I); act = FloatBuffer(count: N * I)
        rows = FloatBuffer(count: B * C); rowsNorm = FloatBuffer(count: B * C)
        rstd = FloatBuffer(count: N)
        logits = FloatBuffer(count: B * c.vocabSize)
    }
}
