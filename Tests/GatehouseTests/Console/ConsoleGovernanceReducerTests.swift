import Foundation
import Testing

@testable import ConsoleUI

/// The Policies (6) and Subscriptions (7) screens in the reducer: navigation, keys, effects, read-only mode.
@Suite("Console reducer: policies and subscriptions")
struct ConsoleGovernanceReducerTests {
    typealias F = ConsoleFixture

    func text(_ s: ConsoleState) -> String { ConsoleRenderer.render(s).text }

    @Test func reachableByNumberTabAndCommand() {
        var s = F.state()
        s.press(.char("6"))
        #expect(s.screen == .policies)
        s.press(.char("7"))
        #expect(s.screen == .subscriptions)
        #expect(HeaderView.breadcrumbs(RenderContext(s)) == ["Subscriptions"])
        s.press(.char("1"), .backTab, .backTab, .backTab)
        #expect(s.screen == .subscriptions)
        for (command, screen) in [("policies", ScreenKind.policies), ("subs", .subscriptions), ("pol", .policies), ("subscriptions", .subscriptions)]
        {
            s.press(.char("1"), .char(":"))
            s.type(command)
            #expect(s.press(.enter) == [])
            #expect(s.screen == screen, "\(command)")
        }
        s.press(.char(":"))
        s.type("po")
        s.press(.tab)
        guard case .command(let c) = s.mode else {
            Issue.record("not in command mode")
            return
        }
        #expect(c.input.text == "policies")
    }

    @Test func policiesListGlobalThenServersThenTools() {
        var s = F.state()
        s.press(.char("6"))
        #expect(s.policyRows(s.page).map(\.scope) == ["global", "server:pets", "server:weather", "tool:inventory/gone", "tool:pets/getPetById"])
        let screen = text(s)
        #expect(screen.contains("rate-limit-by-key, cache-lookup"))
        #expect(screen.contains("✗ invalid: inbound[0].rate-limit"))
        s.press(.char("/"))
        s.type("quota")
        s.press(.enter)
        #expect(s.policyRows(s.page).map(\.scope) == ["tool:pets/getPetById"])
    }

    @Test func enterShowsTheDocumentWithItsEffectiveOrder() {
        var s = F.state()
        s.press(.char("6"), .end, .enter)
        #expect(s.screen == .policyDetail)
        #expect(HeaderView.breadcrumbs(RenderContext(s)) == ["Policies", "tool:pets/getPetById"])
        let steps = s.policy("tool:pets/getPetById")?.effective.map { "\($0.section) \($0.scope) \($0.policy)" }
        #expect(
            steps == [
                "inbound global ip-filter", "inbound server:pets rate-limit-by-key", "inbound server:pets cache-lookup",
                "inbound tool:pets/getPetById quota", "outbound server:pets cache-store",
            ])
        let screen = text(s)
        #expect(screen.contains("RUNS IN THIS ORDER  for a call to getPetById on pets"))
        #expect(screen.contains("- quota: { calls: 1000, renewal-period: 86400 }"))
        s.press(.escape, .home, .down, .down, .down, .enter)
        #expect(text(s).contains("there is no tool 'gone' on 'inventory': this document applies to nothing"))
        s.press(.escape, .home, .down, .down, .enter)
        #expect(text(s).contains("the servers it covers refuse requests until it is fixed"))
        s.press(.escape)
        #expect(s.screen == .policies)
        #expect(s.page.selected == 2)
    }

    @Test func editAndNewOpenTheEditorOnAScope() {
        var s = F.state()
        s.press(.char("6"))
        #expect(s.press(.char("e")) == [.edit(.policy(scope: "global"))])
        s.press(.down, .enter)
        #expect(s.press(.char("e")) == [.edit(.policy(scope: "server:pets"))])
        s.press(.escape, .char("n"))
        guard case .form(let form) = s.mode else {
            Issue.record("no form")
            return
        }
        #expect(form.purpose == .newPolicy)
        #expect(s.press(.enter) == [])
        #expect(s.formError == "a scope is required: global, server:<name> or tool:<server>/<tool>")
        s.type("servers:pets")
        #expect(s.press(.enter) == [])
        #expect(s.formError?.contains("unknown scope 'servers:pets'") == true)
        s.press(.ctrl("u"))
        s.type("server:nosuch")
        #expect(s.press(.enter) == [])
        #expect(s.formError == "no server named 'nosuch'")
        s.press(.ctrl("u"))
        s.type("tool:pets/nosuch")
        #expect(s.press(.enter) == [])
        #expect(s.formError == "server 'pets' has no tool 'nosuch'")
        s.press(.ctrl("u"))
        s.type(" tool:pets/listPets ")
        #expect(s.press(.enter) == [.edit(.policy(scope: "tool:pets/listPets"))])
        #expect(s.mode == .normal)
        // A failed edit session reports in the flash; the scope form is not reopened.
        _ = s.handle(.effectFinished(EffectOutcome(succeeded: false, message: "edit abandoned after an error")))
        #expect(s.mode == .normal)
        #expect(s.flash?.kind == .error)
    }

    @Test func deletePolicyAsksFirstAndGoesBackFromTheDetail() {
        var s = F.state()
        s.press(.char("6"))
        #expect(s.press(.char("d")) == [])
        #expect(text(s).contains("Delete the policy document of global (1 policy)?"))
        #expect(s.press(.char("n")) == [])
        #expect(s.press(.char("D"), .char("y")) == [.deletePolicy(scope: "global")])
        s.press(.down, .enter, .char("d"))
        #expect(s.press(.char("y")) == [.deletePolicy(scope: "server:pets")])
        #expect(s.screen == .policies)
    }

    @Test func subscriptionsSuspendResumeAndDelete() {
        var s = F.state()
        s.press(.char("7"))
        #expect(s.subscriptionRows(s.page).map(\.name) == ["acme-bot", "ci-runner", "old-partner"])
        let screen = text(s)
        #expect(screen.contains("…x9Qa") && screen.contains("○ suspended") && screen.contains("✖ expired"))
        #expect(screen.contains("servers requiring a key: pets"))
        #expect(!screen.contains(F.secretHash.prefix(8)))
        #expect(s.press(.char("s")) == [])
        #expect(text(s).contains("Suspend the subscription acme-bot?"))
        #expect(s.press(.char("y")) == [.setSubscriptionActive(name: "acme-bot", active: false)])
        s.press(.down)
        #expect(s.press(.char("s"), .char("y")) == [.setSubscriptionActive(name: "ci-runner", active: true)])
        #expect(s.press(.char("d")) == [])
        #expect(text(s).contains("Delete the subscription ci-runner (key …7f3K)?"))
        #expect(s.press(.char("y")) == [.deleteSubscription(name: "ci-runner")])
    }

    @Test func serversShowAndToggleTheKeyRequirement() {
        var s = F.state()
        s.press(.char("3"))
        #expect(text(s).contains("required"))
        #expect(s.press(.char("S")) == [])
        #expect(text(s).contains("Stop requiring a subscription key on pets?"))
        #expect(s.press(.char("y")) == [.setServerRequiresSubscription(name: "pets", required: false)])
        s.press(.down)
        #expect(s.press(.char("S")) == [])
        #expect(text(s).contains("refused (401) at once"))
        #expect(s.press(.char("y")) == [.setServerRequiresSubscription(name: "weather", required: true)])
        s.press(.up, .enter)
        #expect(text(s).contains("a subscription key is required"))
        #expect(s.press(.char("S"), .char("y")) == [.setServerRequiresSubscription(name: "pets", required: false)])
    }

    @Test func toolDetailListsThePoliciesThatApply() {
        var s = F.state()
        s.press(.char("3"), .enter, .down, .down, .enter)
        let screen = text(s)
        #expect(screen.contains("POLICIES  in the order a call runs them"))
        #expect(screen.contains("a subscription key is checked first"))
        #expect(screen.contains("4  inbound   tool:pets/getPetById  quota"))
        #expect(screen.contains("5  outbound  server:pets           cache-store"))
        s.press(.char("3"), .down, .enter, .enter)
        #expect(text(s).contains("✗ server:weather does not parse: requests here are refused until it is fixed"))
    }

    @Test func readOnlyRefusesEveryGovernanceChange() {
        var s = F.state(readOnly: true)
        s.press(.char("6"))
        #expect(!text(s).contains("<n> New"))
        for key in [Key.char("n"), .char("e"), .char("d"), .char("D")] {
            #expect(s.press(key) == [])
            #expect(s.mode == .normal)
            #expect(s.flash?.message.contains("read-only mode") == true)
        }
        s.press(.enter)
        #expect(s.screen == .policyDetail)
        #expect(s.press(.char("e")) == [])
        s.press(.char("7"))
        #expect(s.press(.char("s")) == [])
        #expect(s.press(.char("d")) == [])
        #expect(s.mode == .normal)
        s.press(.char("3"))
        #expect(s.press(.char("S")) == [])
        #expect(s.flash?.message.contains("read-only mode") == true)
    }

    @Test func cursorStaysOnItsScopeWhenDocumentsComeAndGo() {
        var s = F.state()
        s.press(.char("6"), .down, .down)
        #expect(s.targetPolicy?.scope == "server:weather")
        var data = F.data()
        data.policies.removeAll { $0.scope == "global" }
        _ = s.handle(.data(data))
        #expect(s.targetPolicy?.scope == "server:weather")
    }
}

extension ConsoleState {
    /// The open form's error, if a form is open.
    var formError: String? {
        if case .form(let form) = mode { return form.error }
        return nil
    }
}
