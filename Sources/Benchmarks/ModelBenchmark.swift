import Foundation
import Kernels
import Model

/// Throughput measurements behind `rlhf bench`: training steps, sampling and plain SGEMM.
public enum ModelBenchmark {
    /// Sets the number of BLAS threads used by all model math.
    public static func setThreadCount(_ n: Int) { BLAS.setThreadCount(n) }

    /// Number of BLAS threads in use.
    public static var threadCount: Int { BLAS.threadCount }

    /// One timing result.
    public struct Result: Codable, Sendable {
        /// What was measured (e.g. "train tiny B=8 T=256").
        public var name: String
        /// Timed iterations (steps or calls).
        public var iterations: Int
        /// Wall seconds of the timed iterations.
        public var seconds: Double
        /// Tokens processed (or generated) per second; 0 for SGEMM.
        public var tokensPerSecond: Double
        /// Milliseconds per iteration.
        public var msPerIteration: Double
        /// Achieved GFLOP/s by the analytic FLOP count.
        public var gflops: Double
        /// BLAS threads.
        public var threads: Int
        /// Peak resident memory of the process so far, in MiB (`ru_maxrss`).
        public var peakRSSMegabytes: Double = ModelBenchmark.peakResidentMegabytes
        /// Which numeric path ran (precision, BLAS core, vector width).
        public var path: String = ModelBenchmark.mathPath
    }

    /// Peak resident memory of this process so far, in MiB.
    public static var peakResidentMegabytes: Double { ProcessMemory.peakResidentMegabytes }

    /// The fp32 path the model math takes on this machine, for benchmark output.
    public static var mathPath: String { InferencePrecision.fp32.pathDescription }

    /// Analytic FLOPs of one training step (forward + backward = 3× forward) on (B,T):
    /// 6·(matmul parameters incl. LM head)·B·T plus 6·L·NH·HD·T·B·T for causal attention (scores and mixing
    /// over the T/2 visible keys on average).
    public static func trainingFLOPs(config c: LlamaConfig, batch B: Int, seqLen T: Int) -> Double {
        let C = c.hiddenSize, HD = c.headDim
        let perLayer = C * c.numAttentionHeads * HD * 2 + C * c.numKeyValueHeads * HD * 2 + 3 * C * c.intermediateSize
        let head = c.hasScalarHead ? C : c.vocabSize * C
        let matmulParams = Double(perLayer * c.numHiddenLayers + head)
        let tokens = Double(B * T)
        let attention = 6 * Double(c.numHiddenLayers * c.numAttentionHeads * HD * T) * tokens
        return 6 * matmulParams * tokens + attention
    }

    /// Full training steps (forward, masked CE, backward, AdamW) on random tokens for about `seconds`.
    public static func train(config: LlamaConfig, batch B: Int, seqLen T: Int, seconds: Double, seed: UInt64 = 0) throws -> Result {
        try train(model: LlamaModel(config: config, seed: seed), batch: B, seqLen: T, seconds: seconds, seed: seed)
    }

    /// Full training steps of `model` (forward, masked CE, backward, AdamW) on random tokens for about `seconds`.
    public static func train(model: LlamaModel, batch B: Int, seqLen T: Int, seconds: Double, seed: UInt64 = 0) throws -> Result {
        let opt = AdamW(model: model)
        let batch = try randomBatch(model.config, batch: B, seqLen: T, seed: seed)
        let (steps, elapsed) = try timed(seconds: seconds) {
            try model.accumulateCrossEntropy(batch)
            try opt.update(model, learningRate: 1e-4)
        }
        let flops = trainingFLOPs(config: model.config, batch: B, seqLen: T) * Double(steps)
        return Result(name: "train B=\(B) T=\(T)", iterations: steps, seconds: elapsed,
                      tokensPerSecond: Double(B * T * steps) / elapsed, msPerIteration: elapsed * 1000 / Double(steps),
                      gflops: flops / elapsed / 1e9, threads: threadCount)
    }

    /// Forward-only scoring of `model` for about `seconds`: the log-prob of every next token of random (B,T)
    /// batches (what a reference model, a KL term or a reward needs), in the model's `inferencePrecision`;
    /// tokens/s counts the B·T tokens read.
    public static func score(model: LlamaModel, batch B: Int, seqLen T: Int, seconds: Double, seed: UInt64 = 0) throws -> Result {
        let batch = try randomBatch(model.config, batch: B, seqLen: T, seed: seed)
        var checksum: Float = 0
        let (calls, elapsed) = try timed(seconds: seconds) {
            checksum += try model.nextTokenLogProbs(batch).reduce(0, +)
        }
        guard checksum.isFinite else { throw ModelError.nonFiniteLoss(value: Double(checksum)) }
        let flops = trainingFLOPs(config: model.config, batch: B, seqLen: T) / 3 * Double(calls)
        return Result(name: "score B=\(B) T=\(T)", iterations: calls, seconds: elapsed,
                      tokensPerSecond: Double(B * T * calls) / elapsed, msPerIteration: elapsed * 1000 / Double(calls),
                      gflops: flops / elapsed / 1e9, threads: threadCount,
                      path: model.inferencePrecision.pathDescription)
    }

    /// Random tokens below min(256, V) in a (B,T) batch without padding.
    private static func randomBatch(_ config: LlamaConfig, batch B: Int, seqLen T: Int, seed: UInt64) throws -> Batch {
        var rng = Xoshiro256(seed: seed &+ 1)
        let seqs = (0..<B).map { _ in (0..<T).map { _ in Int32(rng.next() % UInt64(min(256, config.vocabSize))) } }
        return try Batch(sequences: seqs, padToken: config.padTokenId)
    }

    /// Runs `body` once to warm up, then repeatedly for at least `seconds` and two calls; returns (calls, seconds).
    private static func timed(seconds: Double, _ body: () throws -> Void) throws -> (Int, Double) {
        try body()
        var calls = 0
        let start = Date()
        repeat {
            try body()
            calls += 1
        } while Date().timeIntervalSince(start) < seconds || calls < 2
        return (calls, Date().timeIntervalSince(start))
    }

    /// Sampling `newTokens` tokens for `batch` random 16-token prompts (no EOS stop); tokens/s counts new tokens.
    public static func generate(config: LlamaConfig, batch B: Int, newTokens: Int, useKVCache: Bool,
                                seed: UInt64 = 0) throws -> Result {
        try generate(model: LlamaModel(config: config, seed: seed), batch: B, newTokens: newTokens, useKVCache: useKVCache,
                     seed: seed)
    }

    /// Sampling with `model`: `newTokens` tokens for `batch` random 16-token prompts (no EOS stop), after one
    /// untimed 2-token warm-up; tokens/s counts new tokens. The KV-cache path runs in the model's `inferencePrecision`.
    public static func generate(model: LlamaModel, batch B: Int, newTokens: Int, useKVCache: Bool,
                                seed: UInt64 = 0) throws -> Result {
        let config = model.config
        var rng = Xoshiro256(seed: seed &+ 1)
        let prompts = (0..<B).map { _ in [config.bosTokenId] + (0..<15).map { _ in Int32(rng.next() % 256) } }
        var warm = SamplingOptions(temperature: 1, maxNewTokens: 2, stopAtEOS: false, useKVCache: useKVCache)
        _ = try model.generate(prompts: prompts, options: warm, rng: &rng)
        warm.maxNewTokens = newTokens
        let start = Date()
        let g = try model.generate(prompts: prompts, options: warm, rng: &rng)
        let elapsed = Date().timeIntervalSince(start)
        let produced = g.tokens.map(\.count).reduce(0, +)
        return Result(name: "generate B=\(B) new=\(newTokens) kv=\(useKVCache)", iterations: newTokens, seconds: elapsed,
                      tokensPerSecond: Double(produced) / elapsed, msPerIteration: elapsed * 1000 / Double(newTokens),
                      gflops: 0, threads: threadCount,
                      path: useKVCache ? model.inferencePrecision.pathDescription : InferencePrecision.fp32.pathDescription)
    }

    /// Plain `cblas_sgemm`, threaded by OpenBLAS itself, on square (n×n)·(n×n) for about `seconds`:
    /// the machine's practical peak.
    public static func sgemm(size n: Int, seconds: Double) -> Result {
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n), c = FloatBuffer(count: n * n)
        for i in 0..<(n * n) {
            a.pointer[i] = Float(i % 7) * 0.1
            b.pointer[i] = Float(i % 5) * 0.1
        }
        func call() {
            BLAS.serialSgemm(transA: false, transB: true, m: n, n: n, k: n, a: a.pointer, lda: n, b: b.pointer, ldb: n,
                             beta: 0, c: c.pointer, ldc: n)
        }
        var calls = 0
        let elapsed: Double = BLAS.withOpenBLASThreading {
            call()
            let start = Date()
            repeat {
                call()
                calls += 1
            } while Date().timeIntervalSince(start) < seconds
            return Date().timeIntervalSince(start)
        }
        return Result(name: "sgemm \(n)x\(n)x\(n)", iterations: calls, seconds: elapsed, tokensPerSecond: 0,
                      msPerIteration: elapsed * 1000 / Double(calls),
                      gflops: 2 * Double(n * n * n) * Double(calls) / elapsed / 1e9, threads: threadCount)
    }
}
