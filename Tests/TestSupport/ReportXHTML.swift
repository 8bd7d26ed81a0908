import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest
import Report

/// Parses report XHTML with Foundation's XMLParser and collects what tests check: tables by id, SVG charts.
package final class ReportXHTML: NSObject, XMLParserDelegate {
    /// Cell texts of each table with an id, row by row (header row included).
    package private(set) var tables: [String: [[String]]] = [:]
    /// Per chart `<svg class="chart …">`: how many data marks (polyline points, dots, bars) it holds.
    package private(set) var chartMarks: [Int] = []
    /// Every `id` attribute.
    package private(set) var ids: Set<String> = []
    /// Every in-page link target (`href="#x"`).
    package private(set) var links: Set<String> = []
    /// The parse error, if the document is not well formed.
    package private(set) var error: Error?

    private var tableStack: [String?] = []
    private var row: [String]?
    private var cell: String?
    private var chartDepth = 0
    private var depth = 0

    /// Parses `html`.
    package init(_ html: String) {
        super.init()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = self
        if !parser.parse() { error = parser.parserError ?? NSError(domain: "xml", code: 1) }
    }

    package func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        depth += 1
        if let id = attributes["id"] { ids.insert(id) }
        if let href = attributes["href"], href.hasPrefix("#") { links.insert(String(href.dropFirst())) }
        switch name {
        case "table": tableStack.append(attributes["id"])
        case "tr": row = []
        case "td", "th": cell = ""
        case "svg" where (attributes["class"] ?? "").hasPrefix("chart"):
            chartMarks.append(0)
            chartDepth = depth
        case "polyline" where chartDepth > 0: chartMarks[chartMarks.count - 1] += Int(attributes["data-count"] ?? "0") ?? 0
        case "circle" where chartDepth > 0 && attributes["class"] == "point", "rect" where chartDepth > 0 && attributes["class"] == "bar":
            chartMarks[chartMarks.count - 1] += 1
        default: break
        }
    }

    package func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "table": tableStack.removeLast()
        case "tr":
            if let row, let id = tableStack.last ?? nil { tables[id, default: []].append(row) }
            row = nil
        case "td", "th":
            row?.append(cell ?? "")
            cell = nil
        case "svg" where depth == chartDepth: chartDepth = 0
        default: break
        }
        depth -= 1
    }

    package func parser(_ parser: XMLParser, foundCharacters string: String) {
        cell? += string
    }

    /// The row of table `id` whose first cell is exactly `label`.
    package func row(_ id: String, exactly label: String) -> [String]? {
        tables[id]?.first { $0.first == label }
    }

    /// The row of table `id` whose first cell starts with `label`.
    package func row(_ id: String, _ label: String) -> [String]? {
        tables[id]?.first { $0.first?.hasPrefix(label) ?? false }
    }
}

/// Parses a displayed number (`+0.123`, `1.5e-04`, `0.5`) for comparison with an artifact value.
package func displayed(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Double {
    guard let value = Double(text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "+", with: "")) else {
        XCTFail("'\(text)' is not a number", file: file, line: line)
        return .nan
    }
    return value
}
