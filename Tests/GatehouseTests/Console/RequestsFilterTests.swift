import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// `/` on the requests screen reads the request log's filter language; plain words still match any column.
@Suite("Console: the requests filter")
struct RequestsFilterTests {
    typealias F = ConsoleFixture

    @Test("a filter expression selects what gatehouse logs would; words stay substring matches; an error shows in the header")
    func language() {
        var s = F.state()
        s.press(.char("4"), .char("/"))
        s.type("server:pets status:error")
        s.press(.enter)
        let rows = s.recordRows(s.page)
        let expected = F.records().filter { $0.server == "pets" && $0.outcome != .ok }
        #expect(!expected.isEmpty)
        #expect(rows.map(\.sequence) == expected.map(\.sequence))

        s.press(.char("/"))
        for _ in 0..<40 { s.press(.backspace) }
        s.type("tool:find* OR tool:listS*")
        s.press(.enter)
        #expect(Set(s.recordRows(s.page).compactMap(\.tool)) == ["findPetsByTag", "listStock"])

        s.press(.char("/"))
        for _ in 0..<40 { s.press(.backspace) }
        s.type("inventory")
        s.press(.enter)
        #expect(s.recordRows(s.page).allSatisfy { $0.server == "inventory" } && !s.recordRows(s.page).isEmpty, "words match as before")
        #expect(!ConsoleRenderer.render(s).text.contains("FILTER"))

        s.press(.char("/"))
        for _ in 0..<40 { s.press(.backspace) }
        s.type("latency>fast")
        s.press(.enter)
        #expect(s.recordRows(s.page).isEmpty)
        #expect(
            RequestsScreen.statusFlags(s).contains(
                "FILTER column 1: 'latency>fast': 'fast' is not a latency: use a number with us, ms or s (500ms, 2s)"))
    }
}
