import Foundation
import Kernels

/// Throughput measurements behind `rlhf bench`: training steps, sampling and plain SGEMM.
public enum Benchmarks {
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
    }

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
        let model = try LlamaModel(config: config, seed: seed)
        let opt = AdamW(model: model)
        var rng = Xoshiro256(seed: seed &+ 1)
        let seqs = (0..<B).map { _ in (0..<T).map { _ in Int32(rng.next() % UInt64(min(256, config.vocabSize))) } }
        let batch = try Batch(sequences: seqs, padToken: config.padTokenId)
        func step() throws {
            try model.accumulateCrossEntropy(batch)
            try opt.update(model, learningRate: 1e-4)
        }
        try step()
        var steps = 0
        let start = Date()
        repeat {
            try step()
            steps += 1
        } while Date().timeIntervalSince(start) < seconds || steps < 2
        let elapsed = Date().timeIntervalSince(start)
        let flops = trainingFLOPs(config: config, batch: B, seqLen: T) * Double(steps)
        return Result(name: "train B=\(B) T=\(T)", iterations: steps, seconds: elapsed,
                      tokensPerSecond: Double(B * T * steps) / elapsed, msPerIteration: elapsed * 1000 / Double(steps),
                      gflops: flops / elapsed / 1e9, threads: threadCount)
    }

    /// Sampling `newTokens` tokens for `batch` random 16-token prompts (no EOS stop); tokens/s counts new tokens.
    public static func generate(config: LlamaConfig, batch B: Int, newTokens: Int, useKVCache: Bool,
                                seed: UInt64 = 0) throws -> Result {
        let model = try LlamaModel(config: config, seed: seed)
        var rng = Xoshiro256(seed: seed &+ 1)
        let prompts = (0..<B).map { _ in [config.bosTokenId] + (0..<15).map { _ in Int32(rng.next() % 256) } }
        let options = SamplingOptions(temperature: 1, maxNewTokens: newTokens, stopAtEOS: false, useKVCache: useKVCache)
        let start = Date()
        let g = try model.generate(prompts: prompts, options: options, rng: &rng)
        let elapsed = Date().timeIntervalSince(start)
        let produced = g.tokens.map(\.count).reduce(0, +)
        return Result(name: "generate B=\(B) new=\(newTokens) kv=\(useKVCache)", iterations: newTokens, seconds: elapsed,
                      tokensPerSecond: Double(produced) / elapsed, msPerIteration: elapsed * 1000 / Double(newTokens),
                      gflops: 0, threads: threadCount)
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
