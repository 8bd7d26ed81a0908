import ChatTemplate
import XCTest

/// The loss-mask spans cover assistant text only: never a role marker, a system prompt or a user message.
final class AssistantSpansTests: XCTestCase {
    private func contentOf(_ message: Value, role: String) -> String? {
        guard case let .dict(d) = message, d["role"] == .string(role), case let .string(text)? = d["content"] else { return nil }
        return text
    }

    func testSpansHoldNoRoleMarkerSystemOrUserTextForEveryTemplate() throws {
        let fixtures = try FixtureCases.load()
        var checked = Set<String>()
        for c in fixtures.cases where c.expected != nil {
            let template = try XCTUnwrap(fixtures.templates[c.template])
            let rendered = try template.renderWithAssistantSpans(messages: c.messages, addGenerationPrompt: c.addGenerationPrompt,
                                                                 specialTokens: c.specialTokens, variables: c.variables,
                                                                 now: fixtures.now, timeZone: utc)
            XCTAssertEqual(rendered.text, c.expected, c.label)
            let bytes = Array(rendered.text.utf8)
            var previousEnd = 0
            var spanTexts: [String] = []
            for span in rendered.assistantSpans {
                XCTAssertGreaterThanOrEqual(span.lowerBound, previousEnd, "\(c.label): spans overlap or are unsorted")
                XCTAssertLessThanOrEqual(span.upperBound, bytes.count, c.label)
                previousEnd = span.upperBound
                spanTexts.append(String(decoding: bytes[span], as: UTF8.self))
            }
            let forbidden = (fixtures.roleMarkers[c.template] ?? [])
                + c.messages.compactMap { contentOf($0, role: "system") }
                + c.messages.compactMap { contentOf($0, role: "user") }
            for text in spanTexts {
                for needle in forbidden {
                    let trimmed = needle.trimmingCharacters(in: .whitespacesAndNewlines)
                    guard !trimmed.isEmpty else { continue }
                    XCTAssertFalse(text.contains(trimmed), "\(c.label): span '\(text)' contains '\(trimmed)'")
                }
            }
            let assistantTexts = c.messages.compactMap { contentOf($0, role: "assistant") }
            XCTAssertEqual(rendered.assistantSpans.count >= assistantTexts.count, true, c.label)
            for content in assistantTexts {
                let trimmed = content.trimmingCharacters(in: .whitespacesAndNewlines)
                guard rendered.text.contains(trimmed) else { continue } // the template rewrote it (e.g. dropped reasoning)
                XCTAssertTrue(spanTexts.contains { $0.contains(trimmed) }, "\(c.label): '\(trimmed)' is not in any span")
            }
            if !assistantTexts.isEmpty { checked.insert(c.template) }
        }
        XCTAssertEqual(checked.count, fixtures.templates.count, "every template was checked with assistant turns")
    }

    func testSpansEndWithTheEndOfTurnToken() throws {
        let fixtures = try FixtureCases.load()
        let ends = ["smollm2": "<|im_end|>", "llama-3.2": "<|eot_id|>", "qwen-2.5": "<|im_end|>", "mistral": "</s>",
                    "mistral-nemo": "</s>", "gemma-3": "<end_of_turn>", "phi-3.5": "<|end|>", "zephyr": "</s>", "qwen-2.5-generation": "<|im_end|>"]
        for (name, end) in ends {
            let c = try XCTUnwrap(fixtures.cases.first { $0.template == name && $0.conversation == "system-two-turns" && !$0.addGenerationPrompt })
            let rendered = try XCTUnwrap(fixtures.templates[name]).renderWithAssistantSpans(
                messages: c.messages, addGenerationPrompt: false, specialTokens: c.specialTokens)
            let bytes = Array(rendered.text.utf8)
            let texts = rendered.assistantSpans.map { String(decoding: bytes[$0], as: UTF8.self) }
            XCTAssertEqual(texts, ["Paris is the capital of France." + end, "Rome is the capital of Italy." + end], name)
        }
    }

    func testContentOnlySpansWithoutEndOfTurn() throws {
        let fixtures = try FixtureCases.load()
        let c = try XCTUnwrap(fixtures.cases.first { $0.template == "llama-3.2" && $0.conversation == "unicode-whitespace" })
        let rendered = try XCTUnwrap(fixtures.templates["llama-3.2"]).renderWithAssistantSpans(
            messages: c.messages, addGenerationPrompt: c.addGenerationPrompt, specialTokens: c.specialTokens,
            includeEndOfTurn: false, now: fixtures.now, timeZone: utc)
        let bytes = Array(rendered.text.utf8)
        XCTAssertEqual(rendered.assistantSpans.map { String(decoding: bytes[$0], as: UTF8.self) },
                       ["\u{3053}\u{3093}\u{306B}\u{3061}\u{306F}! Caf\u{E9} \u{E9}\u{301} costs 3\u{20AC}."], "trimmed by the template")
    }

    func testTemplateThatRepeatsContentIsRefused() throws {
        let template = try ChatTemplate(source: "{% for m in messages %}{{ m.content }}|{{ m.content }}{% endfor %}")
        let messages: [Value] = [["role": "user", "content": "q"], ["role": "assistant", "content": "a"]]
        XCTAssertThrowsError(try template.renderWithAssistantSpans(messages: messages, addGenerationPrompt: false)) { error in
            guard case .spans? = error as? ChatTemplateError else { return XCTFail("wrong error \(error)") }
        }
    }

    func testReasoningAndContentFormOneSpan() throws {
        let fixtures = try FixtureCases.load()
        let c = try XCTUnwrap(fixtures.cases.first { $0.template == "qwen-3" && $0.conversation == "reasoning" && !$0.addGenerationPrompt })
        let rendered = try XCTUnwrap(fixtures.templates["qwen-3"]).renderWithAssistantSpans(
            messages: c.messages, addGenerationPrompt: false, specialTokens: c.specialTokens)
        let bytes = Array(rendered.text.utf8)
        XCTAssertEqual(rendered.assistantSpans.map { String(decoding: bytes[$0], as: UTF8.self) },
                       ["It is 4.<|im_end|>", "Add three to three.\n</think>\n\nIt is 6.<|im_end|>"],
                       "the template drops old reasoning and prints the last one before the content")
    }
}
