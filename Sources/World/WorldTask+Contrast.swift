import Foundation

extension WorldTask {
    /// `response` with its correct answer replaced by a near miss of the same shape, or nil.
    ///
    /// The near miss is a count or sum off by one to three with as many digits, a word left unreversed or with
    /// two neighbouring letters swapped, one copy too many or too few, or another option. Everything around
    /// the answer (lead-ins, trailing words) is kept, so a preference pair of the two differs only in
    /// correctness: a reward model cannot tell them apart by length or style. Nil when `response` is not
    /// correct, does not contain the gold answer verbatim, or the task is a harmful request.
    public func contrast(of response: String, reachedEOS: Bool, using rng: inout SplitMix64) -> String? {
        guard scenario == .helpfulness, GoldJudge.score(task: self, response: response, reachedEOS: reachedEOS).correct,
              let range = response.range(of: goldAnswer) else { return nil }
        var changed = response
        changed.replaceSubrange(range, with: nearMiss(using: &rng))
        return GoldJudge.score(task: self, response: changed, reachedEOS: reachedEOS).correct ? nil : changed
    }

    /// A wrong answer close to the gold one; numbers keep their digit count when one within ±3 does.
    func nearMiss(using rng: inout SplitMix64) -> String {
        switch family {
        case .add, .count, .length:
            let gold = Int(goldAnswer) ?? 0
            let near = (gold - 3...gold + 3).filter { $0 != gold && $0 >= 0 }
            let sameWidth = near.filter { String($0).count == goldAnswer.count }
            return String(rng.pick(sameWidth.isEmpty ? near : sameWidth))
        default:
            return ResponseSynth.wrongAnswer(self, &rng)
        }
    }
}
