import Charts
import Foundation

/// Renders the Markdown the stages write (headings, pipe tables, lists, fenced code, paragraphs, `**bold**`
/// and `` `code` ``) as XHTML for the report page. Anything else shows as escaped text, never as markup.
enum MarkdownHTML {
    /// The XHTML of `markdown`; headings start at `<h4>` so they sit under the report's own sections.
    /// - Complexity: O(n) in the length of the text.
    static func render(_ markdown: String) -> String {
        var out = ""
        var paragraph: [String] = []
        var list: [String] = []
        var tableLines: [String] = []
        var code: [String]?
        func flush() {
            if !paragraph.isEmpty { out += "<p>\(inline(paragraph.joined(separator: " ")))</p>\n" }
            if !list.isEmpty { out += "<ul>" + list.map { "<li>\(inline($0))</li>" }.joined() + "</ul>\n" }
            if !tableLines.isEmpty { out += table(tableLines) }
            paragraph = []
            list = []
            tableLines = []
        }
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if code != nil {
                if line.hasPrefix("```") {
                    out += "<pre class=\"text\">\(Markup.escape(code!.joined(separator: "\n")))</pre>\n"
                    code = nil
                } else {
                    code!.append(raw)
                }
                continue
            }
            if line.hasPrefix("```") {
                flush()
                code = []
            } else if line.isEmpty {
                flush()
            } else if let level = headingLevel(line) {
                flush()
                let tag = "h\(min(level + 3, 6))"
                out += "<\(tag)>\(inline(String(line.dropFirst(level)).trimmingCharacters(in: .whitespaces)))</\(tag)>\n"
            } else if line.hasPrefix("|") {
                if tableLines.isEmpty { flush() }
                tableLines.append(line)
            } else if line.hasPrefix("- ") || line.hasPrefix("* ") {
                if list.isEmpty { flush() }
                list.append(String(line.dropFirst(2)))
            } else {
                if !list.isEmpty || !tableLines.isEmpty { flush() }
                paragraph.append(line)
            }
        }
        if let code { out += "<pre class=\"text\">\(Markup.escape(code.joined(separator: "\n")))</pre>\n" }
        flush()
        return out
    }

    /// The level of an ATX heading (`## x` → 2), or nil.
    static func headingLevel(_ line: String) -> Int? {
        let hashes = line.prefix { $0 == "#" }.count
        guard (1...6).contains(hashes), line.count > hashes, line.dropFirst(hashes).first == " " else { return nil }
        return hashes
    }

    /// A pipe table: the first line is the header; a second line of dashes (with `:` for alignment) is skipped.
    static func table(_ lines: [String]) -> String {
        let rows = lines.map(cells)
        let separator = rows.count > 1 && rows[1].allSatisfy { cell in !cell.isEmpty && cell.allSatisfy { "-: ".contains($0) } }
        let alignments = separator ? rows[1].map { $0.hasSuffix(":") ? " class=\"num\"" : "" } : []
        let body = rows.dropFirst(separator ? 2 : 1)
        var out = "<table><thead><tr>" + rows[0].map { "<th>\(inline($0))</th>" }.joined() + "</tr></thead><tbody>"
        for row in body {
            out += "<tr>" + row.enumerated().map { index, cell in
                "<td\(index < alignments.count ? alignments[index] : "")>\(inline(cell))</td>"
            }.joined() + "</tr>"
        }
        return out + "</tbody></table>\n"
    }

    /// The cells of a table line, split on `|` that is not escaped as `\|`.
    static func cells(_ line: String) -> [String] {
        var cells: [String] = []
        var current = ""
        var escaped = false
        for character in line {
            if escaped {
                current.append(character == "|" ? "|" : "\\")
                if character != "|" { current.append(character) }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "|" {
                cells.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current.append("\\") }
        cells.append(current.trimmingCharacters(in: .whitespaces))
        if line.hasPrefix("|") { cells.removeFirst() }
        if line.hasSuffix("|") && !line.hasSuffix("\\|") { cells.removeLast() }
        return cells
    }

    /// Escaped text with `` `code` `` spans and `**bold**`.
    static func inline(_ text: String) -> String {
        var out = ""
        for (index, part) in text.split(separator: "`", omittingEmptySubsequences: false).enumerated() {
            if index % 2 == 1 {
                out += "<code>\(Markup.escape(String(part)))</code>"
                continue
            }
            for (bold, piece) in part.components(separatedBy: "**").enumerated() {
                out += bold % 2 == 1 ? "<b>\(Markup.escape(piece))</b>" : Markup.escape(piece)
            }
        }
        return out
    }
}
