import ChatTemplate
import XCTest

/// Real chat templates render byte for byte as transformers (jinja2) rendered them in `Fixtures/cases.json`.
final class ChatTemplateFixtureTests: XCTestCase {
    func testEveryTemplateFixtureIsPresent() throws {
        let fixtures = try FixtureCases.load()
        for name in ["smollm2", "llama-3.2", "qwen-2.5", "qwen-2.5-generation", "mistral", "mistral-nemo", "gemma-2", "gemma-3",
                     "phi-3.5", "zephyr", "qwen-3", "hermes-3-tool-use"] {
            XCTAssertNotNil(fixtures.templates[name], "missing template \(name)")
            XCTAssertTrue(fixtures.cases.contains { $0.template == name && $0.expected != nil }, "no rendered case for \(name)")
        }
    }

    func testRendersByteIdenticalToTransformers() throws {
        let fixtures = try FixtureCases.load()
        XCTAssertGreaterThan(fixtures.cases.count, 60)
        for c in fixtures.cases {
            let template = try XCTUnwrap(fixtures.templates[c.template], c.label)
            do {
                let text = try template.render(messages: c.messages, addGenerationPrompt: c.addGenerationPrompt,
                                               specialTokens: c.specialTokens, variables: c.variables, now: fixtures.now, timeZone: utc)
                guard let expected = c.expected else {
                    XCTFail("\(c.label): expected the error '\(c.error ?? "")', rendered instead")
                    continue
                }
                XCTAssertEqual(Array(text.utf8), Array(expected.utf8), "\(c.label)\n--- got ---\n\(text)\n--- want ---\n\(expected)")
            } catch let error as ChatTemplateError {
                guard let wanted = c.error else {
                    XCTFail("\(c.label): \(error)")
                    continue
                }
                if c.errorType == "TemplateError" {
                    XCTAssertEqual(error, .raised(wanted, at: error.location!), c.label)
                } else {
                    XCTAssertTrue(error.description.contains(wanted), "\(c.label): \(error) is not jinja2's \(c.errorType ?? ""): \(wanted)")
                }
            }
        }
    }

    func testGenerationSpansMatchTransformers() throws {
        let fixtures = try FixtureCases.load()
        let tracked = fixtures.cases.filter { $0.generationSpans != nil }
        XCTAssertFalse(tracked.isEmpty)
        for c in tracked {
            let template = try XCTUnwrap(fixtures.templates[c.template])
            XCTAssertTrue(template.hasGenerationBlocks)
            let context = ChatTemplate.context(messages: c.messages, addGenerationPrompt: c.addGenerationPrompt,
                                               specialTokens: c.specialTokens, variables: c.variables)
            let (text, spans) = try template.renderTracked(context, now: fixtures.now, timeZone: utc)
            XCTAssertEqual(text, c.expected, c.label)
            XCTAssertEqual(spans, c.generationSpans, c.label)
        }
    }

    func testSnippetsMatchJinja2() throws {
        let fixtures = try FixtureCases.load()
        XCTAssertGreaterThan(fixtures.snippets.count, 20)
        for s in fixtures.snippets {
            do {
                let template = try ChatTemplate(source: s.source)
                let text = try template.render(s.variables, now: fixtures.now, timeZone: utc)
                XCTAssertEqual(text, s.expected, "snippet \(s.name): jinja2 raised \(s.errorType ?? "nothing")")
            } catch let error as ChatTemplateError {
                XCTAssertNotNil(s.error, "snippet \(s.name): \(error)")
                if s.errorType == "TemplateError" { XCTAssertEqual(error.description, s.error, "snippet \(s.name)") }
            }
        }
    }
}
