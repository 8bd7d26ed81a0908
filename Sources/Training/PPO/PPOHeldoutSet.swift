import Model
import World

/// The held-out prompts a PPO run samples for `gate.ppo_guard`: never trained on, the same fixed subset at every
/// held-out evaluation so that the evaluations compare the policy on the same prompts.
public struct PPOHeldoutSet: Sendable {
    /// The chosen prompts' texts (for the gold judge and the per-slice scores).
    let promptTexts: [String]
    /// The chosen prompts' chat prefixes, rendered as the training prompts are.
    let encodedPrompts: [[Int32]]
    /// Iterations between held-out evaluations besides the first and the last (0: only those two).
    let every: Int
    /// Each prompt's gold score at the first held-out evaluation (nil before it, or for a prompt the world cannot judge):
    /// later evaluations measure each slice's change on the same prompts against it.
    public internal(set) var baselineGold: [Double?]?

    /// Chooses `count` of `prompts` (all when there are fewer) by a partial shuffle seeded by `seed`, kept in file order.
    /// `encodedPrompts` holds the chat prefix of every prompt of `prompts`.
    /// - Throws: `ModelError.shapeMismatch` when the two lists differ in length.
    public init(prompts: [PromptRecord], encodedPrompts: [[Int32]], count: Int, every: Int, seed: UInt64) throws {
        guard encodedPrompts.count == prompts.count else {
            throw ModelError.shapeMismatch(what: "encoded held-out prompts", expected: prompts.count, got: encodedPrompts.count)
        }
        var order = Array(prompts.indices)
        var rng = Xoshiro256(seed: seed ^ 0x4845_4C44_4F55_5421)
        let chosen = min(max(count, 0), order.count)
        for i in 0..<chosen {
            order.swapAt(i, i + Int(rng.next() % UInt64(order.count - i)))
        }
        let picked = order.prefix(chosen).sorted()
        promptTexts = picked.map { prompts[$0].prompt }
        self.encodedPrompts = picked.map { encodedPrompts[$0] }
        self.every = max(every, 0)
    }

    /// Prompts sampled at each evaluation.
    public var count: Int { promptTexts.count }

    /// Whether an evaluation is due after `done` of `total` iterations: before the first, every `every`, after the last.
    public func isDue(after done: Int, of total: Int) -> Bool {
        done == 0 || done >= total || (every > 0 && done % every == 0)
    }
}
