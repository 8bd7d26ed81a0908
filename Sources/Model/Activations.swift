import Kernels

/// Saved forward activations of one (B,T) training batch, plus gradient scratch for backward; or, for a forward that
/// only scores, one layer's worth of buffers that every layer reuses.
final class Activations {
    /// Whether each layer has its own buffers and there is gradient scratch (a training forward, kept for backward);
    /// otherwise every layer writes over the same set (a scoring forward: no backward, 1/L of the memory).
    let forBackward: Bool
    /// Batch capacity B.
    let batch: Int
    /// Sequence capacity T.
    let seqLen: Int
    /// Residual stream entering each block, and after the last (L+1 of (B,T,C)).
    let residual: [FloatBuffer]
    /// Per layer: input RMSNorm output (B,T,C) and its reciprocal std (B,T).
    let ln1: [FloatBuffer], rstd1: [FloatBuffer]
    /// Per layer: one fused row per token (B,T,QKV) of rotated queries (NH·HD), rotated keys and values
    /// (NKV·HD each), with QKV = (NH+2·NKV)·HD.
    let qkv: [FloatBuffer]
    /// Per layer: attention probabilities (B,NH,T,T).
    let att: [FloatBuffer]
    /// Per layer: attention output before o_proj (B,T,NH,HD).
    let attOut: [FloatBuffer]
    /// Per layer: residual stream after attention (B,T,C).
    let mid: [FloatBuffer]
    /// Per layer: post-attention RMSNorm output (B,T,C) and reciprocal std (B,T).
    let ln2: [FloatBuffer], rstd2: [FloatBuffer]
    /// Per layer: gate and up projections fused per token (B,T,2·I), and silu(gate)·up (B,T,I).
    let gateUp: [FloatBuffer], act: [FloatBuffer]
    /// Final RMSNorm output (B,T,C) and reciprocal std (B,T).
    let lnf: FloatBuffer, rstdf: FloatBuffer
    /// A scalar-head model's values (B,T), or one chunk of LM-head logits (headRows,V), reused chunk by chunk.
    let head: FloatBuffer
    /// Rows of an LM-head chunk (`head`, `headInput`, `headGrad`); 0 for a scalar head.
    let headRows: Int
    /// The final norm's output rows gathered for one LM-head chunk (headRows,C), and their gradient.
    let headInput: FloatBuffer, headGrad: FloatBuffer
    /// Token ids (B,T).
    let tokens: UnsafeMutablePointer<Int32>
    /// Positions (B,T) indexing the RoPE tables.
    let positions: UnsafeMutablePointer<Int32>
    /// Key padding mask (B,T).
    let mask: FloatBuffer
    /// Hidden key span [from, to) per token (B,T,2), filled for branched batches only.
    let hiddenKeys: UnsafeMutablePointer<Int32>
    /// Gradient scratch: residual stream and normed input (B,T,C).
    let dResidual: FloatBuffer, dLn: FloatBuffer
    /// Gradient scratch for the fused queries, keys, values (B,T,QKV) and the attention output (B,T,NH,HD).
    let dQKV: FloatBuffer, dAttOut: FloatBuffer
    /// Gradient scratch for the MLP: fused gate|up (B,T,2·I) and the SwiGLU output (B,T,I).
    let dGateUp: FloatBuffer, dAct: FloatBuffer

    /// Allocates buffers for batches up to `batch` × `seqLen`, with LM-head chunks of up to `headRows` rows; without
    /// `forBackward`, one buffer per kind shared by every layer (the residual stream alternates between two), and no
    /// gradient scratch.
    init(config c: LlamaConfig, batch B: Int, seqLen T: Int, headRows: Int, forBackward: Bool = true) {
        batch = B
        seqLen = T
        self.forBackward = forBackward
        let N = B * T, C = c.hiddenSize, I = c.intermediateSize
        let QC = c.numAttentionHeads * c.headDim, KC = c.numKeyValueHeads * c.headDim
        let L = c.numHiddenLayers
        func bufs(_ n: Int, _ k: Int = L) -> [FloatBuffer] {
            guard !forBackward else { return (0..<k).map { _ in FloatBuffer(count: n) } }
            return Array(repeating: FloatBuffer(count: n), count: k)
        }
        if forBackward {
            residual = bufs(N * C, L + 1)
        } else {
            // Block l reads residual[l] and writes residual[l + 1], so the two must differ.
            let even = FloatBuffer(count: N * C), odd = FloatBuffer(count: N * C)
            residual = (0...L).map { $0 % 2 == 0 ? even : odd }
        }
        ln1 = bufs(N * C); rstd1 = bufs(N)
        qkv = bufs(N * (QC + 2 * KC))
        att = bufs(B * c.numAttentionHeads * T * T)
        attOut = bufs(N * QC)
        mid = bufs(N * C)
        ln2 = bufs(N * C); rstd2 = bufs(N)
        gateUp = bufs(N * 2 * I); act = bufs(N * I)
        lnf = FloatBuffer(count: N * C); rstdf = FloatBuffer(count: N)
        self.headRows = c.hasScalarHead ? 0 : min(N, headRows)
        head = FloatBuffer(count: c.hasScalarHead ? N : self.headRows * c.vocabSize)
        headInput = FloatBuffer(count: self.headRows * C); headGrad = FloatBuffer(count: self.headRows * C)
        tokens = .allocate(capacity: N)
        positions = .allocate(capacity: N)
        mask = FloatBuffer(count: N)
        hiddenKeys = .allocate(capacity: 2 * N)
        let g = forBackward ? N : 0
        dResidual = FloatBuffer(count: g * C); dLn = FloatBuffer(count: g * C)
        dQKV = FloatBuffer(count: g * (QC + 2 * KC)); dAttOut = FloatBuffer(count: g * QC)
        dGateUp = FloatBuffer(count: g * 2 * I); dAct = FloatBuffer(count: g * I)
    }

    deinit {
        tokens.deallocate()
        positions.deallocate()
        hiddenKeys.deallocate()
    }

    /// Whether a (B,T) batch fits.
    func fits(batch B: Int, seqLen T: Int) -> Bool { B <= batch && T <= seqLen }
}
