/// Accuracy of a reward model on labelled pairs.
public struct PairAccuracy: Codable, Equatable {
    /// Pairs evaluated.
    var pairs: Int
    /// Fraction where the preferred response scores higher.
    public var accuracy: Double
    /// Mean reward difference (preferred − other).
    public var meanMargin: Double

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case pairs, accuracy
        case meanMargin = "mean_margin"
    }

    /// Accuracy and mean margin of reward differences (preferred − other).
    public init(margins: [Double]) {
        pairs = margins.count
        accuracy = margins.isEmpty ? 0 : Double(margins.filter { $0 > 0 }.count) / Double(margins.count)
        meanMargin = Statistics.mean(margins)
    }
}

/// `reports/rm_eval.json`: everything the gates and PPO need to trust (or not) the reward model.
public struct RewardReport: Codable, Equatable {
    /// Training pairs.
    var trainPairs: Int
    /// Smoothed training loss over steps.
    var trainLoss: [LossPoint]
    /// Accuracy and mean margin on held-out pairs (annotator labels).
    public var heldout: PairAccuracy
    /// Held-out accuracy on pairs whose lengths differ by at most 20%.
    var lengthMatched: PairAccuracy
    /// Reliability of σ(r_A − r_B) as P(A chosen) on held-out pairs in both orders, with ECE.
    public var calibration: Calibration
    /// Agreement with the gold judge on fresh policy samples: pairs of one prompt whose gold scores differ by more
    /// than `clearGap` (nil without a world judge).
    public var goldAgreement: PairAccuracy?
    /// The same over every fresh pair with different gold scores (small partial-credit gaps included).
    var goldAgreementAll: PairAccuracy?
    /// Gold difference above which a fresh pair counts as clear.
    var clearGap: Double?
    /// Agreement with each other wired judge: a command judge on fresh pairs, human labels on their labelled pairs.
    public var judgeAgreement: [String: PairAccuracy]?
    /// The command judge's position bias on the fresh pairs, when one was wired.
    var judgePositionBias: Double?
    /// Spearman correlation of reward and response length (characters) on held-out responses.
    public var spearmanRewardLength: Double
    /// Spearman correlation of reward and length on the fresh samples (nil without fresh samples).
    var spearmanRewardLengthFresh: Double?
    /// Spearman correlation of reward and gold score on the fresh samples (nil without a world judge).
    var spearmanRewardGoldFresh: Double?
    /// Mean reward on the training responses (PPO may subtract it).
    var rewardMean: Double
    /// Standard deviation of reward on the training responses (PPO may divide by it).
    var rewardStd: Double
    /// Training settings: margin and centring coefficient.
    var margin: Double
    /// Scale of each pair's own margin (from `margin` or `score_chosen − score_rejected`) in the loss; 0: unused.
    var dataMargin: Double
    /// Weight of the reward-centring term.
    var centring: Double
    /// Training time in seconds.
    var trainSeconds: Double

    /// A report of a reward model trained on `trainPairs` pairs.
    public init(trainPairs: Int, trainLoss: [LossPoint], heldout: PairAccuracy, lengthMatched: PairAccuracy,
                calibration: Calibration, goldAgreement: PairAccuracy?, goldAgreementAll: PairAccuracy?, clearGap: Double?,
                judgeAgreement: [String: PairAccuracy]? = nil, judgePositionBias: Double? = nil,
                spearmanRewardLength: Double, spearmanRewardLengthFresh: Double?, spearmanRewardGoldFresh: Double?,
                rewardMean: Double, rewardStd: Double, margin: Double, dataMargin: Double = 0, centring: Double, trainSeconds: Double) {
        self.trainPairs = trainPairs
        self.trainLoss = trainLoss
        self.heldout = heldout
        self.lengthMatched = lengthMatched
        self.calibration = calibration
        self.goldAgreement = goldAgreement
        self.goldAgreementAll = goldAgreementAll
        self.clearGap = clearGap
        self.judgeAgreement = judgeAgreement
        self.judgePositionBias = judgePositionBias
        self.spearmanRewardLength = spearmanRewardLength
        self.spearmanRewardLengthFresh = spearmanRewardLengthFresh
        self.spearmanRewardGoldFresh = spearmanRewardGoldFresh
        self.rewardMean = rewardMean
        self.rewardStd = rewardStd
        self.margin = margin
        self.dataMargin = dataMargin
        self.centring = centring
        self.trainSeconds = trainSeconds
    }

    /// JSON keys (snake_case).
    enum CodingKeys: String, CodingKey {
        case trainPairs = "train_pairs"
        case trainLoss = "train_loss"
        case heldout
        case lengthMatched = "length_matched"
        case calibration
        case goldAgreement = "gold_agreement"
        case goldAgreementAll = "gold_agreement_all"
        case clearGap = "clear_gap"
        case judgeAgreement = "judge_agreement"
        case judgePositionBias = "judge_position_bias"
        case dataMargin = "data_margin"
        case spearmanRewardLength = "spearman_reward_length"
        case spearmanRewardLengthFresh = "spearman_reward_length_fresh"
        case spearmanRewardGoldFresh = "spearman_reward_gold_fresh"
        case rewardMean = "reward_mean"
        case rewardStd = "reward_std"
        case margin, centring
        case trainSeconds = "train_seconds"
    }
}
