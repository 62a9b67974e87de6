import Foundation
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// The console reducer: state + event → new state + effects, no terminal involved.
@Suite("Console reducer")
struct ConsoleReducerTests {
    typealias F = ConsoleFixture

    func crumbs(_ s: ConsoleState) -> [String] { HeaderView.breadcrumbs(RenderContext(s)) }

    // MARK: Navigation

    @Test func numberKeysAndTabSwitchScreens() {
        var s = F.state()
        #expect(s.screen == .dashboard)
        s.press(.char("2"))
        #expect(s.screen == .apis)
        s.press(.char("3"))
        #expect(s.screen == .servers)
        s.press(.char("4"))
        #expect(s.screen == .requests)
        s.press(.char("5"))
        #expect(s.screen == .logs)
        s.press(.tab)
        #expect(s.screen == .policies)
        s.press(.tab)
        #expect(s.screen == .subscriptions)
        s.press(.tab)
        #expect(s.screen == .credentials)
        s.press(.tab)
        #expect(s.screen == .upstreams)
        s.press(.tab)
        #expect(s.screen == .dashboard)
        s.press(.backTab)
        #expect(s.screen == .upstreams)
        s.press(.char("1"))
        #expect(s.screen == .dashboard)
    }

    @Test func welcomeWhileEmptyAndDemoKey() {
        var s = F.emptyState()
        #expect(s.screen == .welcome)
        #expect(s.press(.char("d")) == [.loadDemo])
        s.press(.char("i"))
        guard case .form(let form) = s.mode else {
            Issue.record("no form")
            return
        }
        #expect(form.purpose == .importAPI)
        _ = s.handle(.data(F.data()))
        #expect(s.mode != .normal)
        s.press(.escape)
        #expect(s.screen == .dashboard)
    }

    @Test func drillInAndOutWithBreadcrumbs() {
        var s = F.state()
        s.press(.char("3"), .enter)
        #expect(s.screen == .serverDetail)
        #expect(crumbs(s) == ["Servers", "pets"])
        s.press(.down, .down, .enter)
        #expect(s.screen == .toolDetail)
        #expect(crumbs(s) == ["Servers", "pets", "getPetById"])
        let text = ConsoleRenderer.render(s).text
        #expect(text.contains("Servers › pets › getPetById"))
        #expect(text.contains("\"description\": \"ID of pet to return\""))
        s.press(.escape)
        #expect(crumbs(s) == ["Servers", "pets"])
        #expect(s.page.selected == 2)
        s.press(.escape)
        #expect(s.screen == .servers)
        s.press(.escape)
        #expect(s.screen == .servers)
    }

    @Test func tabsKeepTheirStacksAndReselectingReturnsToRoot() {
        var s = F.state()
        s.press(.char("3"), .enter)
        s.press(.char("4"))
        s.press(.char("3"))
        #expect(s.screen == .serverDetail)
        s.press(.char("3"))
        #expect(s.screen == .servers)
    }

    @Test func cursorMovesAndClamps() {
        var s = F.state()
        s.press(.char("4"), .char("j"), .char("j"), .down)
        #expect(s.page.selected == 3)
        s.press(.char("k"))
        #expect(s.page.selected == 2)
        s.press(.end)
        #expect(s.page.selected == 39)
        s.press(.pageDown)
        #expect(s.page.selected == 39)
        #expect(s.page.top == 40 - ConsoleLayout.viewport(s, s.page))
        s.press(.home)
        #expect(s.page.selected == 0)
        #expect(s.page.top == 0)
        s.press(.pageDown)
        #expect(s.page.selected == ConsoleLayout.viewport(s, s.page))
    }

    @Test func requestDetailShowsMaskedArgumentsAndLatencyBreakdown() {
        var s = F.state()
        s.press(.char("4"), .enter)
        #expect(s.screen == .requestDetail)
        let text = ConsoleRenderer.render(s).text
        #expect(text.contains("tools/call"))
        #expect(text.contains("\"api_key\": \"****\""))
        #expect(text.contains("Backend"))
        #expect(text.contains("Gateway"))
    }

    // MARK: Filter and command mode

    @Test func filterNarrowsRowsEnterKeepsEscClears() {
        var s = F.state()
        s.press(.char("3"), .char("/"))
        #expect(s.isEditingText)
        s.type("WEA")
        #expect(s.serverRows(s.page).map(\.name) == ["weather"])
        s.press(.enter)
        #expect(!s.isEditingText)
        #expect(s.page.filter == "WEA")
        #expect(s.serverRows(s.page).count == 1)
        #expect(ConsoleRenderer.render(s).text.contains("filter: WEA"))
        s.press(.char("/"), .backspace, .backspace, .escape)
        #expect(s.page.filter.isEmpty)
        #expect(s.serverRows(s.page).count == 4)
    }

    @Test func escOnARootListClearsTheFilter() {
        var s = F.state()
        s.press(.char("4"), .char("/"))
        s.type("inventory")
        s.press(.enter)
        #expect(s.recordRows(s.page).allSatisfy { $0.server == "inventory" })
        s.press(.escape)
        #expect(s.page.filter.isEmpty)
    }

    @Test func commandModeCompletesAndRuns() {
        var s = F.state()
        s.press(.char(":"))
        s.type("se")
        s.press(.tab)
        guard case .command(let c) = s.mode else {
            Issue.record("not in command mode")
            return
        }
        #expect(c.input.text == "servers")
        s.press(.enter)
        #expect(s.screen == .servers)

        s.press(.char(":"))
        s.type("re")
        s.press(.tab)
        guard case .command(let c2) = s.mode else {
            Issue.record("not in command mode")
            return
        }
        #expect(c2.input.text == "re")
        #expect(c2.candidates == ["requests", "registry", "refresh"])
        s.type("q")
        s.press(.tab, .enter)
        #expect(s.screen == .requests)

        s.press(.char(":"))
        s.type("quit")
        #expect(s.press(.enter) == [.quit])
        s.press(.char(":"))
        s.type("nope")
        #expect(s.press(.enter) == [])
        #expect(s.flash?.kind == .error)
    }

    @Test func qInsideTextInputsDoesNotQuit() {
        var s = F.state()
        s.press(.char("3"), .char("/"))
        #expect(s.type("q") == [])
        #expect(s.page.filter == "q")
        s.press(.escape)
        s.press(.char("2"), .char("i"))
        #expect(s.type("qj?:") == [])
        guard case .form(let form) = s.mode else {
            Issue.record("no form")
            return
        }
        #expect(form.fields[0].input.text == "qj?:")
        s.press(.char(":"))
        #expect(s.press(.escape) == [])
        #expect(s.press(.char("q")) == [.quit])
    }

    // MARK: Requests pane

    @Test func pauseFreezesTheRequestRows() {
        var s = F.state()
        s.press(.char("4"), .char("p"))
        #expect(s.isPaused)
        var newer = F.data()
        newer.records = F.records(count: 40, newest: 2000)
        _ = s.handle(.data(newer))
        #expect(s.recordRows(s.page).first?.sequence == 1042)
        #expect(ConsoleRenderer.render(s).text.contains("PAUSED"))
        s.press(.char("p"))
        #expect(!s.isPaused)
        #expect(s.recordRows(s.page).first?.sequence == 2000)
    }

    @Test func cursorFollowsItsRowWhenNewRequestsArrive() {
        var s = F.state()
        s.press(.char("4"), .down, .down)
        let selected = s.recordRows(s.page)[2].sequence
        var newer = F.data()
        newer.records = F.records(count: 40, newest: 1045)
        _ = s.handle(.data(newer))
        #expect(s.recordRows(s.page)[s.page.selected].sequence == selected)
    }

    // MARK: Forms and effects

    @Test func importFormSubmitsImportEffect() {
        var s = F.state()
        s.press(.char("2"), .char("i"))
        #expect(s.press(.enter) == [])
        guard case .form(let invalid) = s.mode else {
            Issue.record("form closed")
            return
        }
        #expect(invalid.error == "a name is required")
        s.type("pets2")
        s.press(.tab)
        s.type("./petstore.yaml")
        s.press(.tab, .tab, .char(" "))
        let effects = s.press(.enter)
        #expect(effects == [.importAPI(name: "pets2", source: "./petstore.yaml", baseURL: nil, allowPrivateNetwork: true)])
        #expect(s.mode == .normal)
    }

    @Test func failedEffectReopensTheFormWithItsValues() {
        var s = F.state()
        s.press(.char("2"), .char("i"))
        s.type("x")
        s.press(.tab)
        s.type("missing.yaml")
        #expect(s.press(.enter).count == 1)
        _ = s.handle(.effectFinished(EffectOutcome(succeeded: false, message: "no such file")))
        guard case .form(let form) = s.mode else {
            Issue.record("form not reopened")
            return
        }
        #expect(form.fields[1].input.text == "missing.yaml")
        #expect(form.error == "no such file")
    }

    @Test func deleteAsksAndOnlyYesDeletes() {
        var s = F.state()
        s.press(.char("3"))
        #expect(s.press(.char("D")) == [])
        #expect(ConsoleRenderer.render(s).text.contains("Delete the MCP server pets"))
        #expect(s.press(.char("n")) == [])
        #expect(s.mode == .normal)
        s.press(.char("D"))
        #expect(s.press(.char("z"), .char("q")) == [])
        s.press(.char("D"))
        #expect(s.press(.char("y")) == [.deleteServer(name: "pets")])
    }

    @Test func deleteFromDetailGoesBack() {
        var s = F.state()
        s.press(.char("2"), .down, .down, .down)
        #expect(s.press(.char("D")).isEmpty)
        #expect(s.flash?.kind == .error) // inventory is used by a server
        s.press(.char("3"), .char("/"))
        s.type("inventory")
        s.press(.enter, .enter, .char("D"))
        #expect(s.press(.char("y")) == [.deleteServer(name: "inventory")])
        #expect(s.screen == .servers)
    }

    @Test func createServerWithChosenOperations() {
        var s = F.state()
        s.press(.char("2"), .char("c"))
        guard case .form(let form) = s.mode else {
            Issue.record("no form")
            return
        }
        #expect(form.fields[0].input.text == "petstore")
        s.press(.ctrl("u"))
        s.type("pets-lite")
        s.press(.tab, .tab, .tab, .char("a")) // all off
        s.press(.char(" "), .down, .down, .char(" "))
        let effects = s.press(.enter)
        #expect(
            effects == [
                .createServer(
                    name: "pets-lite", api: "petstore", operations: ["listPets", "getPetById"], basePath: "petstore", description: "Swagger Petstore")
            ])
    }

    @Test func createServerWithAllOperationsSendsNil() {
        var s = F.state()
        s.press(.char("2"), .char("c"), .tab, .tab, .tab, .char("a"), .char("a"))
        #expect(
            s.press(.enter) == [
                .createServer(name: "petstore", api: "petstore", operations: nil, basePath: "petstore", description: "Swagger Petstore")
            ])
    }

    @Test func togglesServersAndTools() {
        var s = F.state()
        s.press(.char("3"))
        // Each toggle changes what clients get, so it asks first, naming the effect; n (or a stray q) changes nothing.
        #expect(s.press(.char(" ")) == [])
        let dialog = ConsoleRenderer.render(s).text
        #expect(dialog.contains("Disable the MCP server pets?") && dialog.contains("/pets/mcp get 404"))
        #expect(s.press(.char("n")) == [])
        #expect(s.press(.char(" "), .char("q")) == [])
        #expect(s.press(.char(" "), .char("y")) == [.updateServer(name: "pets", newName: nil, description: nil, basePath: nil, enabled: false)])
        s.press(.down, .down)
        #expect(s.press(.char("x"), .char("y")) == [.updateServer(name: "billing", newName: nil, description: nil, basePath: nil, enabled: true)])
        s.press(.home, .enter, .end)
        #expect(s.press(.char(" ")) == [])
        #expect(ConsoleRenderer.render(s).text.contains("Disable the tool findPetsByTag of pets?"))
        #expect(s.press(.char("y")) == [.updateTool(server: "pets", tool: "findPetsByTag", newName: nil, description: nil, enabled: false)])
        s.press(.up)
        #expect(s.press(.char("x"), .char("y")) == [.updateTool(server: "pets", tool: "deletePet", newName: nil, description: nil, enabled: true)])
    }

    @Test func editServerSendsOnlyChangedFields() {
        var s = F.state()
        s.press(.char("3"), .char("r"))
        #expect(s.press(.enter) == [])
        #expect(s.flash?.message == "nothing changed")
        s.press(.char("r"), .tab, .ctrl("u"))
        s.type("Pets, for agents")
        #expect(s.press(.enter) == [.updateServer(name: "pets", newName: nil, description: "Pets, for agents", basePath: nil, enabled: nil)])
    }

    @Test func renameAndDescribeTools() {
        var s = F.state()
        s.press(.char("3"), .enter, .char("r"), .ctrl("u"))
        s.type("list_pets")
        #expect(s.press(.enter) == [.updateTool(server: "pets", tool: "listPets", newName: "list_pets", description: nil, enabled: nil)])
        s.press(.down, .down, .char("o"), .ctrl("u"))
        #expect(s.press(.enter) == [.updateTool(server: "pets", tool: "getPetById", newName: nil, description: .some(nil), enabled: nil)])
        s.press(.char("o"), .ctrl("u"))
        s.type("Fetch one pet")
        #expect(s.press(.enter) == [.updateTool(server: "pets", tool: "getPetById", newName: nil, description: .some("Fetch one pet"), enabled: nil)])
    }

    @Test func editKeyOpensEditorOnTheEntity() {
        var s = F.state()
        s.press(.char("2"))
        #expect(s.press(.char("e")) == [.edit(.api("petstore"))])
        s.press(.char("3"), .down)
        #expect(s.press(.char("e")) == [.edit(.server("weather"))])
        s.press(.enter)
        #expect(s.press(.char("e")) == [.edit(.tool(server: "weather", tool: "currentWeather"))])
        #expect(s.press(.char("E")) == [.edit(.server("weather"))])
        #expect(s.press(.char("R")) == [.refresh])
    }

    // MARK: Read-only, flash, resize

    @Test func readOnlyRefusesMutationsWithAFlash() {
        var s = F.state(readOnly: true)
        s.press(.char("3"))
        for key in [Key.char("D"), .char(" "), .char("x"), .char("r"), .char("e")] {
            #expect(s.press(key) == [])
            #expect(s.mode == .normal)
            #expect(s.flash?.kind == .error)
            #expect(s.flash?.message.contains("read-only mode") == true)
        }
        s.press(.char("2"), .char("i"))
        #expect(s.mode == .normal)
        s.press(.char(":"))
        s.type("demo")
        #expect(s.press(.enter) == [])
        #expect(s.flash?.message.contains("read-only mode") == true)
        #expect(s.press(.char("q")) == [.quit])
    }

    @Test func readOnlyWelcomeRefusesEnter() {
        var s = F.emptyState()
        s.readOnly = true
        #expect(s.press(.enter) == [])
        #expect(s.press(.char("d")) == [])
        #expect(s.flash?.message.contains("read-only mode") == true)
    }

    @Test func effectFinishedFlashesThenFades() {
        var s = F.state()
        _ = s.handle(.effectFinished(EffectOutcome(succeeded: true, message: "server pets disabled")))
        #expect(s.flash?.kind == .success)
        #expect(ConsoleRenderer.render(s).line(28) == " ✓ server pets disabled")
        for _ in 0..<(ConsoleState.flashTicks - 1) { _ = s.handle(.data(F.data())) }
        #expect(s.flash != nil)
        _ = s.handle(.data(F.data()))
        #expect(s.flash == nil)
        _ = s.handle(.effectFinished(EffectOutcome(succeeded: false, message: "base path taken")))
        #expect(ConsoleRenderer.render(s).line(28) == " ✗ error: base path taken")
        // Errors stay longer: they often name a path or a reason to act on.
        for _ in 0..<(ConsoleState.errorFlashTicks - 1) { _ = s.handle(.data(F.data())) }
        #expect(s.flash?.kind == .error)
        _ = s.handle(.data(F.data()))
        #expect(s.flash == nil)
    }

    @Test func resizeRelayoutsAndTooSmall() {
        var s = F.state()
        _ = s.handle(.resize(width: 79, height: 30))
        #expect(s.isTooSmall)
        #expect(ConsoleRenderer.render(s).text.contains("too small: need 80×24, have 79×30"))
        _ = s.handle(.resize(width: 80, height: 24))
        #expect(!s.isTooSmall)
        let buffer = ConsoleRenderer.render(s)
        #expect(buffer.width == 80 && buffer.height == 24)
        #expect(buffer.line(23).contains("<q> Quit"))
    }

    @Test func footerAndHelpComeFromTheBindingTable() {
        var s = F.state()
        s.press(.char("3"))
        let footer = ConsoleRenderer.render(s).line(29)
        for b in KeyBinding.active(on: .servers, readOnly: false) where b.showsInFooter {
            #expect(footer.contains(b.shortTitle))
        }
        s.press(.char("?"))
        #expect(s.screen == .help)
        // The page scrolls once every screen's section is on it: read all of it.
        let (left, right) = HelpView.columns(s)
        let help = (left + right).map { $0.segments.map(\.text).joined() }.joined(separator: "\n")
        #expect(help.contains("Delete the server (asks first)"))
        s.press(.char("?"))
        #expect(s.screen == .servers)
    }
}
