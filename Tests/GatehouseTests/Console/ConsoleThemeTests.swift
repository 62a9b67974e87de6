import Foundation
import Testing

@testable import ConsoleUI

/// A theme file restyles roles in colour mode, is refused precisely when it says something unknown, and never changes
/// the monochrome theme.
@Suite("Console: theme file")
struct ConsoleThemeTests {
    @Test func mappingsAndShorthandsRestyleRoles() throws {
        let theme = try ThemeOverrides.parse(
            """
            # a darker look
            warn: { color: magenta, bold: false, underline: true }
            crit: red bold reverse
            tabActive: { color: blue, reverse: true }
            label: plain
            """)
        #expect(theme.styles[.warn] == Style(color: .magenta, underline: true))
        #expect(theme.styles[.crit] == Style(color: .red, bold: true, reverse: true))
        #expect(theme.styles[.label] == .plain)

        var s = ConsoleFixture.state()
        s.themeOverrides = theme
        #expect(Theme(s).warn == Style(color: .magenta, underline: true))
        #expect(Theme(s).ok == Theme(monochrome: false).ok, "roles the file leaves alone keep the built-in style")
        // The active tab is drawn with the file's style.
        let buf = ConsoleRenderer.render(s)
        let tab = try #require(HeaderView.tabSpans(s).first { $0.kind == s.tab })
        #expect(buf[tab.columns.lowerBound, HeaderView.tabRow].style == Style(color: .blue, reverse: true))

        // Monochrome keeps the monochrome theme whatever the file says.
        s.monochrome = true
        #expect(Theme(s).warn == Theme(monochrome: true).warn)
        let mono = ConsoleRenderer.render(s)
        #expect(mono.cells.allSatisfy { $0.style.color == nil })
    }

    @Test func unknownRolesColoursAndKeysAreErrorsNamingThem() {
        func failure(_ text: String) -> String? {
            do {
                _ = try ThemeOverrides.parse(text)
                return nil
            } catch { return error.description }
        }
        #expect(failure("wran: red")?.hasPrefix("line 1: unknown role 'wran' (roles: titleBar,") == true)
        #expect(failure("ok: green\ncrit: crimson")?.hasPrefix("line 2: crit: unknown colour or attribute 'crimson'") == true)
        #expect(failure("crit: { colour: red }")?.contains("unknown key 'colour' (color, bold, underline, reverse, dim)") == true)
        #expect(failure("crit: { bold: sometimes }")?.contains("bold is true or false") == true)
        #expect(failure("- warn")?.contains("a mapping of role: style") == true)
        #expect(failure("warn: [red]")?.contains("a style is a mapping") == true)
        #expect(failure("") == nil, "an empty file is the built-in theme")
    }

    @Test func aFileIsFoundWhereOperatorsKeepIt() throws {
        let dir = NSTemporaryDirectory() + "gatehouse-theme-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir + "/gatehouse", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(ThemeOverrides.defaultPath(environment: ["XDG_CONFIG_HOME": dir]) == nil, "no file, no theme")
        try "ok: cyan\n".write(toFile: dir + "/gatehouse/theme.yaml", atomically: true, encoding: .utf8)
        #expect(ThemeOverrides.defaultPath(environment: ["XDG_CONFIG_HOME": dir]) == dir + "/gatehouse/theme.yaml")
        #expect(ThemeOverrides.defaultPath(environment: ["XDG_CONFIG_HOME": dir, "GATEHOUSE_THEME": "/x.yaml"]) == "/x.yaml")
        #expect(try ThemeOverrides.load(path: dir + "/gatehouse/theme.yaml").styles == [.ok: Style(color: .cyan)])
        #expect(throws: ThemeOverrides.Failure.self) { try ThemeOverrides.load(path: dir + "/missing.yaml") }
    }
}
