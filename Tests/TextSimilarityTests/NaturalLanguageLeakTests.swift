@testable import TextSimilarity
import XCTest

/// `LeakDetector` on a held-out set of natural-language eval prompts: leaks planted in every way it must see
/// through are all found, and a clean twin set that shares the eval prompts' templates raises nothing.
final class NaturalLanguageLeakTests: XCTestCase {
    /// Held-out eval prompts: several share a template ("What is the capital of …", "Summarize the plot of …").
    private let eval = [
        "What is the capital of Australia?",
        "What is the capital of Canada?",
        "Can you explain why the sky looks blue during the day?",
        "How should I store fresh basil so it lasts?",
        "Suggest a good name for a small bakery in Lisbon.",
        "Write a short poem about autumn leaves falling in the park.",
        "Translate the sentence 'the cat is sleeping' into French.",
        "Summarize the plot of Hamlet in three sentences.",
        "What is 17 multiplied by 23?",
        "List five fruits that are high in vitamin C.",
        "How do I reset a forgotten password on a Windows laptop?",
        "Recommend three science fiction novels for a teenage reader.",
        "Describe the water cycle to a ten year old child.",
        "Why do cats purr when they are happy?",
        "What are the main causes of inflation?",
        "Explain the difference between a virus and a bacterium.",
        "I am planning a two week trip to Japan in the spring with my parents; could you suggest an itinerary that balances temples, food markets and gentle hikes?",
        "Should I water my tomato plants every single morning?",
        "What is a quick way to remove coffee stains?",
        "What is your favourite colour and why do you like it?",
        "Spell the word money backwards.",
    ]

    /// Training prompts unrelated to any eval prompt.
    private let unrelated = [
        "Write a haiku about the ocean at night.",
        "How many legs does a spider have?",
        "Give me three tips for a job interview.",
        "What is the boiling point of water at sea level?",
        "Tell me a joke about computers.",
        "Convert 5 kilometres to miles.",
        "Who painted the Mona Lisa?",
        "Plan a vegetarian dinner menu for six guests.",
    ]

    /// One planted leak: the training text and the eval prompt it leaks.
    private struct Planted {
        let text: String
        let eval: Int
        let kind: LeakDetector.Kind
        let why: String
    }

    private var planted: [Planted] {
        [
            Planted(text: "Why do cats purr when they are happy?", eval: 13, kind: .exact, why: "copied"),
            Planted(text: "WHAT are the main causes of   inflation??", eval: 14, kind: .normalized, why: "case, spacing, punctuation"),
            Planted(text: "Hi! Explain the difference between a virus and a bacterium. Keep it simple please.", eval: 15, kind: .embedded,
                    why: "inside longer text"),
            Planted(text: "I am planning a two week trip to Japan in the spring with my parents; could you suggest an itinerary that balances temples, food markets and gentle walks?",
                    eval: 16, kind: .near, why: "last word of a long prompt changed"),
            Planted(text: "Wh\u{0430}t is the c\u{0430}pit\u{0430}l of Austr\u{0430}li\u{0430}?", eval: 0, kind: .normalized, why: "Cyrillic а for Latin a"),
            Planted(text: "How do I reset \u{0430} f\u{043E}rgotten password \u{043E}n a Wind\u{043E}ws laptop?", eval: 10, kind: .normalized,
                    why: "Cyrillic а and о"),
            Planted(text: "Describe the water cycle t\u{03BF} a ten year \u{FF4F}ld child.", eval: 12, kind: .normalized,
                    why: "Greek omicron and a full-width o"),
            Planted(text: "Recommend three science\u{00A0}fiction nov\u{00A0}els for a teenage reader.", eval: 11, kind: .normalized,
                    why: "no-break spaces between and inside words"),
            Planted(text: "What is the cap\u{200B}ital of Can\u{200D}ada?", eval: 1, kind: .normalized, why: "zero-width space and joiner"),
            Planted(text: "Must I water my tomato plants every single morning?", eval: 17, kind: .edited, why: "modal verb in a 9-word prompt"),
            Planted(text: "How can I store fresh basil so it lasts?", eval: 3, kind: .edited, why: "modal verb in a 9-word prompt"),
            Planted(text: "Could you explain why the sky looks blue during the day?", eval: 2, kind: .edited, why: "modal verb"),
            Planted(text: "What is a fast way to remove coffee stains?", eval: 18, kind: .edited, why: "synonym in a 9-word prompt"),
            Planted(text: "Suggest a good name for a little bakery in Lisbon.", eval: 4, kind: .edited, why: "synonym"),
            Planted(text: "What is your favorite color and why do you like it?", eval: 19, kind: .edited, why: "American spelling"),
        ]
    }

    /// Training prompts that share a template with an eval prompt but ask something else.
    private let twins = [
        "What is the capital of Austria?",
        "What is the capital of Ghana?",
        "Can you explain why the sea looks blue during the day?",
        "How should I store fresh ginger so it lasts?",
        "Suggest a good name for a small bakery in Madrid.",
        "Write a short poem about winter snow falling in the park.",
        "Translate the sentence 'the cat is sleeping' into German.",
        "Summarize the plot of Macbeth in three sentences.",
        "What is 17 multiplied by 24?",
        "List five vegetables that are high in vitamin C.",
        "How do I reset a forgotten password on a Mac laptop?",
        "Recommend three mystery novels for a teenage reader.",
        "Describe the water cycle to a five year old child.",
        "Why do dogs wag their tails when they are happy?",
        "What are the main causes of unemployment?",
        "Explain the difference between a virus and a fungus.",
        "I am planning a two week trip to Peru in the autumn with my friends; could you suggest an itinerary that balances museums, food markets and gentle hikes?",
        "Should I water my cactus plants every single morning?",
        "What is a quick way to remove wine stains?",
        "What is your favourite song and why do you like it?",
        "Spell the word honey backwards.",
    ]

    private func detector() -> LeakDetector {
        LeakDetector(evalTexts: eval, ngram: 3, threshold: 0.9, measure: .containment)
    }

    func testEveryPlantedLeakIsFoundAsItsKind() {
        let leaks = planted
        let texts = unrelated + leaks.map(\.text) + twins
        let matches = detector().scan(texts, threads: 2)
        for (offset, leak) in leaks.enumerated() {
            let found = matches.filter { $0.train == unrelated.count + offset }
            XCTAssertEqual(found.map(\.eval), [leak.eval], "\(leak.why): \(leak.text)")
            XCTAssertEqual(found.first?.kind, leak.kind, "\(leak.why): \(leak.text)")
        }
        XCTAssertEqual(matches.count, leaks.count, "no other pair: \(matches.filter { $0.train >= unrelated.count + leaks.count })")
    }

    func testShortEditLeaksAreBelowTheNGramThreshold() {
        for leak in planted where leak.kind == .edited {
            let evalGrams = GateText.wordShingles(GateText.words(TextNormalization.key(eval[leak.eval])), n: 3)
            let trainGrams = GateText.wordShingles(GateText.words(TextNormalization.key(leak.text)), n: 3)
            let containment = Double(GateText.intersectionCount(evalGrams, trainGrams)) / Double(evalGrams.count)
            XCTAssertLessThan(containment, 0.9, "word 3-grams alone would miss \(leak.why): \(leak.text)")
        }
    }

    func testCleanTwinSetRaisesNoFalseAlarm() {
        let matches = detector().scan(unrelated + twins, threads: 1)
        XCTAssertEqual(matches, [], "\(matches.map { (unrelated + twins)[$0.train] })")
    }

    func testEditCheckCanBeTurnedOff() {
        let off = LeakDetector(evalTexts: eval, ngram: 3, threshold: 0.9, measure: .containment, edits: nil)
        let edited = planted.filter { $0.kind == .edited }
        XCTAssertEqual(off.scan(edited.map(\.text)), [])
        XCTAssertEqual(detector().scan(edited.map(\.text)).map(\.eval), edited.map(\.eval))
    }
}
