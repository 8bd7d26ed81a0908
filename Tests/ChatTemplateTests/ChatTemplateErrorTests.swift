import ChatTemplate
import XCTest

/// Unsupported constructs and template errors name the template line and column; `raise_exception` surfaces the
/// template's own message.
final class ChatTemplateErrorTests: XCTestCase {
    private func thrown(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> ChatTemplateError? {
        do {
            try body()
            XCTFail("expected an error", file: file, line: line)
        } catch let error as ChatTemplateError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return nil
    }

    private func parseError(_ source: String, file: StaticString = #filePath, line: UInt = #line) -> ChatTemplateError? {
        thrown({ _ = try ChatTemplate(source: source) }, file: file, line: line)
    }

    private func renderError(_ source: String, _ variables: [String: Value] = [:],
                             file: StaticString = #filePath, line: UInt = #line) -> ChatTemplateError? {
        thrown({ _ = try ChatTemplate(source: source).render(variables) }, file: file, line: line)
    }

    func testUnsupportedStatementNamesLineAndColumn() {
        let error = parseError("{% for m in messages %}\n{{ m.content }}\n  {% include 'footer.jinja' %}\n{% endfor %}")
        XCTAssertEqual(error, .unsupported("'{% include %}'", at: SourceLocation(line: 3, column: 3)))
        XCTAssertTrue(error?.description.contains("line 3, column 3") ?? false, error?.description ?? "")
    }

    func testUnknownFilterAndTestNameTheirLine() {
        XCTAssertEqual(parseError("a\n{{ x | frobnicate }}"), .unsupported("filter 'frobnicate'", at: SourceLocation(line: 2, column: 6)))
        XCTAssertEqual(parseError("\n\n{% if x is prime %}{% endif %}")?.location?.line, 3)
    }

    func testRawBlocksAndRecursiveLoopsAreUnsupported() {
        XCTAssertEqual(parseError("x\n{% raw %}{{ y }}{% endraw %}"), .unsupported("{% raw %} blocks", at: SourceLocation(line: 2, column: 1)))
        if case .unsupported? = parseError("{% for x in xs recursive %}{% endfor %}") {} else { XCTFail("recursive loop accepted") }
    }

    func testUnclosedBlockNamesItsOpeningTag() {
        let error = parseError("hello\n  {% if messages %}\n{{ x }}")
        XCTAssertEqual(error?.location, SourceLocation(line: 2, column: 3))
        XCTAssertTrue(error?.description.contains("endif") ?? false, error?.description ?? "")
        XCTAssertEqual(parseError("{{ 'abc }}")?.location?.line, 1)
        XCTAssertEqual(parseError("ok\n{% endfor %}")?.location, SourceLocation(line: 2, column: 1))
    }

    func testRaiseExceptionSurfacesTheTemplateMessage() throws {
        let gemma = try String(contentsOf: FixtureCases.directory.appendingPathComponent("templates/gemma-2.jinja"), encoding: .utf8)
        let template = try ChatTemplate(source: gemma)
        let messages: [Value] = [["role": "system", "content": "Be brief."], ["role": "user", "content": "Hi"]]
        XCTAssertThrowsError(try template.render(messages: messages, addGenerationPrompt: true)) { error in
            guard case let ChatTemplateError.raised(message, at)? = error as? ChatTemplateError else {
                return XCTFail("wrong error \(error)")
            }
            XCTAssertEqual(message, "System role not supported")
            XCTAssertEqual(at.line, 1)
            XCTAssertEqual((error as? ChatTemplateError)?.description, "System role not supported")
        }
        let alternating: [Value] = [["role": "user", "content": "a"], ["role": "user", "content": "b"]]
        XCTAssertThrowsError(try template.render(messages: alternating, addGenerationPrompt: false)) { error in
            XCTAssertEqual((error as? ChatTemplateError)?.description, "Conversation roles must alternate user/assistant/user/assistant/...")
        }
    }

    func testRenderErrorsNameTheirLine() {
        XCTAssertEqual(renderError("line one\n  {{ nothing.attr }}"), .render("'nothing' is undefined", at: SourceLocation(line: 2, column: 13)))
        XCTAssertEqual(renderError("{{ 'a' + 1 }}")?.location?.line, 1)
        XCTAssertEqual(renderError("\n{% for x in 3 %}{% endfor %}")?.location?.line, 2)
        XCTAssertEqual(renderError("{{ xs.append(1) }}", ["xs": []]), .render("access to attribute 'append' of 'list' object is unsafe.",
                                                                             at: SourceLocation(line: 1, column: 6)))
        XCTAssertEqual(renderError("{% set x = 1 %}{% set x.y = 2 %}")?.location, SourceLocation(line: 1, column: 16))
    }

    func testBadJSONNamesThePath() {
        XCTAssertThrowsError(try Value.parseJSON("[{\"role\": \"user\", \"content\": tru}]")) { error in
            XCTAssertTrue("\(error)".contains("$[0].content"), "\(error)")
        }
    }

    func testHostileTemplatesFailCleanly() {
        let deep = "{{ " + String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500) + " }}"
        if case .syntax? = parseError(deep) {} else { XCTFail("deep nesting accepted") }
        let nestedIfs = String(repeating: "{% if true %}", count: 300) + String(repeating: "{% endif %}", count: 300)
        if case .syntax? = parseError(nestedIfs) {} else { XCTFail("deep block nesting accepted") }
        let recursive = "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"
        XCTAssertTrue(renderError(recursive)?.description.contains("recursed deeper") ?? false)
        XCTAssertTrue(renderError("{{ 'x' * 10 ** 12 }}")?.description.contains("limit") ?? false)
        XCTAssertEqual(try ChatTemplate(source: "{{ 1 ** 1000000000 }}{{ (-1) ** 1000000001 }}{{ 3 * 'ab' }}").render([:]), "1-1ababab")
    }
}
