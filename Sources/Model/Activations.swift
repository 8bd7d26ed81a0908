import Kernels

/// Saved forward activations of one (B,T) training batch, plus gradient scratch for backward.
final class Activations {
    /// Batch capacity B.
    let batch: Int
    /// Sequence capacity T.
    let seqLen: Int
    /// Residual stream entering each block, and after the last (L+1 of (B,T,C)).
    let residual: [FloatBuffer]
    /// Per layer: input RMSNorm output (B,T,C) and its reciprocal std (B,T).
    let ln1: [FloatBuffer], rstd1: [FloatBuffer]
    /// Per layer: rotated queries (B,T,NH,HD), rotated keys and values (B,T,NKV,HD).
    let q: [FloatBuffer], k: [FloatBuffer], v: [FloatBuffer]
    /// Per layer: attention probabilities (B,NH,T,T).
    let att: [FloatBuffer]
    /// Per layer: attention output before o_proj (B,T,NH,HD).
    let attOut: [FloatBuffer]
    /// Per layer: residual stream after attention (B,T,C).
    let mid: [FloatBuffer]
    /// Per layer: post-attention RMSNorm output (B,T,C) and reciprocal std (B,T).
    let ln2: [FloatBuffer], rstd2: [FloatBuffer]
    /// Per layer: gate and up projections and silu(gate)·up (B,T,I).
    let gate: [FloatBuffer], up: [FloatBuffer], act: [FloatBuffer]
    /// Final RMSNorm output (B,T,C) and reciprocal std (B,T).
    let lnf: FloatBuffer, rstdf: FloatBuffer
    /// (B,T,V) logits or (B,T) values.
    let head: FloatBuffer
    /// Token ids (B,T).
    let tokens: UnsafeMutablePointer<Int32>
    /// Positions (B,T) indexing the RoPE tables.
    let positions: UnsafeMutablePointer<Int32>
    /// Key padding mask (B,T).
    let mask: FloatBuffer
    /// Scratch for o_proj / down_proj outputs (B,T,C).
    let proj: FloatBuffer
    /// Gradient scratch: residual stream and normed input (B,T,C).
    let dResidual: FloatBuffer, dLn: FloatBuffer
    /// Gradient scratch for queries, keys, values and attention output.
    let dq: FloatBuffer, dk: FloatBuffer, dv: FloatBuffer, dAttOut: FloatBuffer
    /// Gradient scratch for the MLP (B,T,I).
    let dGate: FloatBuffer, dUp: FloatBuffer, dAct: FloatBuffer

    /// Allocates buffers for batches up to `batch` × `seqLen`.
    init(config c: LlamaConfig, batch B: Int, seqLen T: Int) {
        batch = B
        seqLen = T
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize
        let QC = c.numAttentionHeads * c.headDim, KC = c.numKeyValueHeads * c.headDim
        let L = c.numHiddenLayers
        func bufs(_ n: Int, _ k: Int = L) -> [FloatBuffer] { (0..<k).map { _ in FloatBuffer(count: n) } }
        residual = bufs(N * C, L + 1)
        ln1 = bufs(N * C); rstd1 = bufs(N)
        q = bufs(N * QC); k = bufs(N * KC); v = bufs(N * KC)
        att = bufs(B * c.numAttentionHeads * T * T)
        attOut = bufs(N * QC)
        mid = bufs(N * C)
        ln2 = bufs(N * C); rstd2 = bufs(N)
        gate = bufs(N * I); up = bufs(N * I); act = bufs(N * I)
        lnf = FloatBuffer(count: N * C); rstdf = FloatBuffer(count: N)
        head = FloatBuffer(count: c.hasScalarHead ? N : N * c.vocabSize)
        tokens = .allocate(capacity: N)
        positions = .allocate(capacity: N)
        mask = FloatBuffer(count: N)
        proj = FloatBuffer(count: N * C)
        dResidual = FloatBuffer(count: N * C); dLn = FloatBuffer(count: N * C)
        dq = FloatBuffer(count: N * QC); dk = FloatBuffer(count: N * KC); dv = FloatBuffer(count: N * KC)
        dAttOut = FloatBuffer(count: N * QC)
        dGate = FloatBuffer(count: N * I); dUp = FloatBuffer(count: N * I); dAct = FloatBuffer(count: N * I)
    }

    deinit {
        tokens.deallocate()
        positions.deallocate()
    }

    /// Whether a (B,T) batch fits.
    func fits(batch B: Int, seqLen T: Int) -> Bool { B <= batch && T <= seqLen }
}
