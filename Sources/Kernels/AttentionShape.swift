/// Shapes of one multi-head causal attention call with grouped-query KV heads.
public struct AttentionShape {
    /// Batch size B.
    public var batch: Int
    /// Sequence length T.
    public var seqLen: Int
    /// Query heads NH.
    public var heads: Int
    /// Key/value heads NKV; NH must be a multiple of NKV.
    public var kvHeads: Int
    /// Head dimension HD.
    public var headDim: Int
    /// Floats from one token's queries to the next in q and dq: NH·HD, or wider when q sits in a fused row.
    public var qStride: Int
    /// Floats from one token's keys to the next in k, v, dk, dv (or the KV cache): NKV·HD, or wider.
    public var kvStride: Int

    /// Creates a shape; strides default to dense (B,T,NH,HD) queries and (B,T,NKV,HD) keys and values.
    public init(batch: Int, seqLen: Int, heads: Int, kvHeads: Int, headDim: Int, qStride: Int? = nil, kvStride: Int? = nil) {
        self.batch = batch
        self.seqLen = seqLen
        self.heads = heads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.qStride = qStride ?? heads * headDim
        self.kvStride = kvStride ?? kvHeads * headDim
    }

    /// Floats from one token's attention output to the next in out and dout (always dense NH·HD).
    var outStride: Int { heads * headDim }

    /// Query heads that share one KV head.
    var group: Int { heads / kvHeads }
    /// Softmax scale 1/√HD.
    var scale: Float { 1 / Float(headDim).squareRoot() }
}
