import CNCursesW
import Testing

@testable import ConsoleUI

/// Bracketed paste: the assembler turns the terminal's paste brackets into one paste of text, and the reducer puts
/// it into the field being edited as text (line breaks as spaces, controls and escapes dropped), never as keys.
@Suite("Console paste")
struct ConsolePasteTests {
    typealias F = ConsoleFixture

    func feed(_ a: inout PasteAssembler, _ text: String) -> [PasteAssembler.Output] {
        text.unicodeScalars.map { a.feed($0.value, isFunctionKey: false) }
    }

    @Test func bracketsMakeOnePasteAndKeysOutsideStayKeys() {
        var a = PasteAssembler()
        #expect(a.feed(UInt32(Character("q").unicodeScalars.first!.value), isFunctionKey: false) == .key(.char("q")))
        #expect(a.feed(UInt32(bitPattern: PasteAssembler.startCode), isFunctionKey: true) == .nothing)
        #expect(feed(&a, "ab\rq\u{1B}3g").allSatisfy { $0 == .nothing })
        #expect(a.feed(UInt32(bitPattern: KEY_UP), isFunctionKey: true) == .nothing, "a function key inside a paste is not a key")
        #expect(a.feed(UInt32(bitPattern: PasteAssembler.endCode), isFunctionKey: true) == .paste("ab\rq\u{1B}3g"))
        #expect(a.feed(UInt32(bitPattern: KEY_UP), isFunctionKey: true) == .key(.up))
        // A stray end bracket is nothing.
        #expect(a.feed(UInt32(bitPattern: PasteAssembler.endCode), isFunctionKey: true) == .nothing)
    }

    @Test func aPasteIsTextInAFormField() {
        var s = F.state()
        _ = s.press(.char("2"), .char("i"))
        guard case .form = s.mode else {
            Issue.record("no import form")
            return
        }
        #expect(s.handle(.paste("half a name\nq then \u{1B}3g more\u{202E}\td")).isEmpty)
        guard case .form(let form) = s.mode else {
            Issue.record("the paste closed the form")
            return
        }
        #expect(form.fields[form.focus].input.text == "half a name q then 3g more d")
    }

    @Test func aPasteOutsideAFieldPressesNothing() {
        var s = F.state()
        let before = s.screen
        #expect(s.handle(.paste("q3d")).isEmpty)
        #expect(s.screen == before)
        #expect(ConsoleRenderer.render(s).text.contains("paste ignored"))
    }

    @Test func aPasteIntoTheFilterFilters() {
        var s = F.state()
        _ = s.press(.char("4"), .char("/"))
        _ = s.handle(.paste("tool:get*\n"))
        #expect(s.page.filter == "tool:get*")
    }

    @Test func noKeyActsBehindTheTooSmallNotice() {
        var s = F.state(width: 60, height: 20)
        #expect(s.press(.char("3"), .char("d"), .char("x")).isEmpty)
        #expect(s.screen == .dashboard)
        #expect(s.handle(.paste("q")).isEmpty)
    }
}
