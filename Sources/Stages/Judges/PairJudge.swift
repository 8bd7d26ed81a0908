import Model
import Training
import World

/// Which response of a pair a judge prefers.
public enum PairWinner: String, Codable, Sendable, CaseIterable {
    /// Response A.
    case a
    /// Response B.
    case b
    /// Neither.
    case tie

    /// The same verdict with A and B swapped.
    var swapped: PairWinner {
        switch self {
        case .a: return .b
        case .b: return .a
        case .tie: return .tie
        }
    }

    /// A's share of the comparison: 1 for A, ½ for a tie, 0 for B.
    var scoreA: Double {
        switch self {
        case .a: return 1
        case .b: return 0
        case .tie: return 0.5
        }
    }
}

/// One response to be judged, with whether generation ended at EOS (the world judge needs it).
struct JudgedText: Equatable, Sendable {
    /// The response text.
    var text: String
    /// Whether the response ended at EOS.
    var reachedEOS: Bool = true
}

/// One pair a judge compares.
struct JudgePair: Equatable, Sendable {
    /// A stable identifier, unique within one call.
    var id: String
    /// The prompt both responses answer: its final user message.
    var prompt: String
    /// The system message and earlier turns before `prompt`.
    var context = PromptContext()
    /// Response A.
    var a: JudgedText
    /// Response B.
    var b: JudgedText
}

extension JudgePair {
    /// Every pair of the distinct (`PreferencePairing.distinct`), non-blank candidates of one prompt (control characters dropped too: sampling
    /// junk `gate.schema` rejects), with ids `<prefix>-<i>-<j>` in candidate order.
    static func all(prompt: PromptRecord, candidates: [Completion], idPrefix: String) -> [JudgePair] {
        let unique = PreferencePairing.distinct(candidates)
        var pairs: [JudgePair] = []
        for i in unique.indices {
            for j in unique.indices where j > i {
                pairs.append(JudgePair(id: "\(idPrefix)-\(i + 1)-\(j + 1)", prompt: prompt.prompt, context: prompt.context,
                                       a: JudgedText(text: unique[i].text, reachedEOS: unique[i].reachedEOS),
                                       b: JudgedText(text: unique[j].text, reachedEOS: unique[j].reachedEOS)))
            }
        }
        return pairs
    }
}

extension JudgePair {
    /// The prompt as the conversation a model is shown.
    var chat: [ChatMessage] { context.chat(user: prompt) }
}

/// A judge's decision on one pair.
struct PairVerdict: Codable, Equatable, Sendable {
    /// The preferred response.
    var winner: PairWinner
    /// Why, when the judge says (command judges and labels).
    var reason: String?
    /// P(A beats B), when the judge gives a probability (the reward model: σ(r_A − r_B)).
    var probabilityA: Double?

    /// JSON keys.
    enum CodingKeys: String, CodingKey {
        case winner, reason
        case probabilityA = "p_a"
    }
}

/// Something that decides which of two responses is better: the world's gold verifier, a reward model,
/// a user's program, or a file of human labels.
protocol PairJudge {
    /// The judge's name in reports ("world", "reward_model", "command", "labels").
    var name: String { get }
    /// One verdict per pair, nil where this judge cannot judge the pair (the world on a non-world prompt,
    /// labels on a pair nobody labelled).
    mutating func judge(_ pairs: [JudgePair]) throws -> [PairVerdict?]
}

extension PairJudge {
    /// The winner of scores `a` and `b`, tied within `tolerance`.
    static func winner(_ a: Double, _ b: Double, tolerance: Double = 1e-9) -> PairWinner {
        abs(a - b) <= tolerance ? .tie : (a > b ? .a : .b)
    }
}
