import ChatTemplate
import XCTest

/// Templates are data read from files: damaged ones must give an error, never a crash.
final class ChatTemplateMutationTests: XCTestCase {
    /// Deletes, duplicates and inserts characters in every fixture template (25 deterministic mutations each) and renders
    /// each result; the test passes when no mutation traps.
    func testMutatedTemplatesFailCleanly() throws {
        let fixtures = try FixtureCases.load()
        let pieces: [String] = ["{%", "%}", "{{", "}}", "{#", "#}", "-", "(", ")", "[", "]", "'", "\"", "|", ".", ":", "\n",
                                " if ", " for ", " in ", " not ", "loop.", "[::-1]", "[-1]", " * 99999", "{% endfor %}",
                                "{% endif %}", "{% break %}", "{% set x = ", " is ", "**", "//", "%", "~", ","]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
        let messages: [Value] = [["role": "system", "content": "S"], ["role": "user", "content": "U"],
                                 ["role": "assistant", "content": "A"], ["role": "user", "content": "V"]]
        var rendered = 0, failed = 0
        for (_, template) in fixtures.templates.sorted(by: { $0.key < $1.key }) {
            let source = Array(template.source.unicodeScalars)
            for _ in 0..<25 {
                var mutated = source
                for _ in 0..<(1 + next(3)) {
                    let at = next(mutated.count + 1)
                    switch next(3) {
                    case 0 where !mutated.isEmpty: mutated.removeSubrange(at..<min(mutated.count, at + 1 + next(12)))
                    case 1: mutated.insert(contentsOf: pieces[next(pieces.count)].unicodeScalars, at: at)
                    default:
                        let start = next(mutated.count + 1)
                        mutated.insert(contentsOf: mutated[start..<min(mutated.count, start + next(20))], at: at)
                    }
                }
                do {
                    let parsed = try ChatTemplate(source: String(scalarsIn: mutated))
                    _ = try parsed.renderWithAssistantSpans(messages: messages, addGenerationPrompt: next(2) == 0,
                                                           specialTokens: ["bos_token": "<s>", "eos_token": "</s>"])
                    rendered += 1
                } catch is ChatTemplateError {
                    failed += 1
                }
            }
        }
        XCTAssertEqual(rendered + failed, fixtures.templates.count * 25)
        XCTAssertGreaterThan(failed, 0, "mutations should break some templates")
        XCTAssertGreaterThan(rendered, 0, "some mutations should still render")
    }
}

private extension String {
    init(scalarsIn scalars: [Unicode.Scalar]) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        self = String(view)
    }
}
