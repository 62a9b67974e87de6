import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// `y` copies what is selected through OSC 52: a server's endpoint URL, a request's id or masked arguments.
@Suite("Console copy")
struct ConsoleCopyTests {
    typealias F = ConsoleFixture

    func copied(_ effects: [ConsoleEffect]) -> String? {
        effects.compactMap { if case .copy(let text) = $0 { text } else { nil } }.first
    }

    @Test func copiesTheEndpointURLTheRequestIdAndTheArguments() throws {
        var s = F.state()
        s.press(.char("3"))
        #expect(copied(s.press(.char("y"))) == "http://127.0.0.1:8080/pets/mcp")
        #expect(ConsoleRenderer.render(s).text.contains("copied the endpoint URL to the clipboard"))
        s.press(.char("4"))
        let first = s.recordRows(s.page)[0]
        #expect(copied(s.press(.char("y"))) == "#\(first.sequence)")
        s.press(.enter)
        let args = try #require(first.arguments)
        #expect(copied(s.press(.char("y"))) == ConsoleDataSampler.prettyJSON(args))
        s.press(.escape, .char("5"))
        #expect(copied(s.press(.char("y"))) == s.data.events.first?.message)
        s.press(.char("6"))
        #expect(copied(s.press(.char("y"))) == nil)
        #expect(ConsoleRenderer.render(s).text.contains("nothing to copy here"))
    }

    @Test func theSequenceIsOSC52() {
        #expect(OSC52.sequence("hi") == "\u{1B}]52;c;aGk=\u{07}")
    }
}
