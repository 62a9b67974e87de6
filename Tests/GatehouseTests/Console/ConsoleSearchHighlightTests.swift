import Foundation
import GatewayEngine
import Testing

@testable import ConsoleUI

/// The `/` filter's matches are marked in the rows it keeps: every occurrence, case-insensitive, in the rows only (not
/// the column titles or the screen's header), and not for a filter in the request log's language.
@Suite("Console: search highlighting")
struct ConsoleSearchHighlightTests {
    /// The columns of `row` whose cells are marked.
    func marked(_ buf: CellBuffer, row: Int) -> [Int] {
        (0..<buf.width).filter { buf[$0, row].style.underline && buf[$0, row].style.bold }
    }

    func rowIndex(_ buf: CellBuffer, containing text: String, from: Int = 0) -> Int? {
        (from..<buf.height).first { buf.line($0).contains(text) }
    }

    @Test func matchesAreMarkedInTheRowsOnly() throws {
        var s = ConsoleFixture.state()
        s.press(.char("3"), .char("/"))
        _ = s.type("PET")
        s.press(.enter)
        let buf = ConsoleRenderer.render(s)
        let rows = ConsoleLayout.contentTop + s.descriptor.headerLines + 1
        let lines = (rows..<buf.height - 2).filter { buf.line($0).lowercased().contains("pet") }
        #expect(!lines.isEmpty)
        for y in lines {
            let line = Array(buf.line(y))
            let lower = String(line).lowercased()
            let expected = lower.ranges(of: "pet").flatMap { r in
                (lower.distance(from: lower.startIndex, to: r.lowerBound)..<lower.distance(from: lower.startIndex, to: r.upperBound)).map { $0 }
            }
            #expect(marked(buf, row: y) == expected, "row \(y): \(String(line))")
        }
        // Nothing above the rows is marked (the header, the tabs, the column titles).
        for y in 0..<rows { #expect(marked(buf, row: y).isEmpty, "row \(y) marked: \(buf.line(y))") }
    }

    @Test func noFilterAndLanguageFiltersMarkNothing() throws {
        var s = ConsoleFixture.state()
        s.press(.char("4"))
        var buf = ConsoleRenderer.render(s)
        for y in 0..<buf.height - 2 { #expect(marked(buf, row: y).isEmpty) }
        s.press(.char("/"))
        _ = s.type("tool:getPet")
        s.press(.enter)
        buf = ConsoleRenderer.render(s)
        for y in 0..<buf.height - 2 { #expect(marked(buf, row: y).isEmpty, "\(buf.line(y))") }
    }
}

/// A log line the table cuts is read in full on its page.
@Suite("Console: an engine event in full")
struct ConsoleLogEventTests {
    @Test func enterOpensTheWholeMessageWrapped() throws {
        var s = ConsoleFixture.state(width: 80, height: 24)
        let tail = "and the end of the message is here"
        let long = "upstream 'docs' answered tools/list with an error: " + String(repeating: "detail ", count: 30) + tail
        s.data.events = [EngineEvent(time: ConsoleFixture.now, level: .error, message: long)]
        s.press(.char("5"))
        #expect(!ConsoleRenderer.render(s).text.contains(tail), "the table cuts it")
        s.press(.enter)
        #expect(s.screen == LogEventScreen.kind)
        let page = ConsoleRenderer.render(s).text
        #expect(page.contains("MESSAGE") && page.contains("Level"))
        let words = page.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(words.contains(long.split(separator: " ").joined(separator: " ")), "\(page)")
        #expect(s.copyTarget?.text == long)
        // The page keeps the event after the ring moved on.
        s.data.events = []
        #expect(ConsoleRenderer.render(s).text.contains(tail))
    }

    @Test func lineBreaksBreakLinesAndEscapesStayEscaped() throws {
        var s = ConsoleFixture.state(width: 80, height: 24)
        s.data.events = [EngineEvent(time: ConsoleFixture.now, level: .warning, message: "first line\nsecond \u{1b}[2J line")]
        s.press(.char("5"), .enter)
        let lines = ConsoleRenderer.render(s).text.split(separator: "\n").map(String.init)
        let first = try #require(lines.firstIndex { $0.hasPrefix("  first line") })
        #expect(lines[first + 1].hasPrefix("  second \\x1B[2J line"), "\(lines[first + 1])")
        #expect(!lines.contains { $0.contains("⏎") })
    }
}
