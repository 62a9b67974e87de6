// Golden screens of the Policies and Subscriptions screens and of a tool's policies; recorded and compared like
// `ConsoleGoldenTests` (GATEHOUSE_RECORD_SNAPSHOTS=1 re-records `Snapshots/<name>.txt`).

import Foundation
import Testing

@testable import ConsoleUI

@Suite("Console golden screens: policies and subscriptions")
struct ConsoleGovernanceGoldenTests {
    let golden = ConsoleGoldenTests()

    @Test func policies() throws {
        var s = ConsoleFixture.state()
        s.press(.char("6"), .down)
        try golden.assertSnapshot(s, "policies")
    }

    @Test func policyDetailWithEffectiveOrder() throws {
        var s = ConsoleFixture.state()
        s.press(.char("6"), .end, .enter)
        try golden.assertSnapshot(s, "policy-detail")
    }

    @Test func invalidPolicyDetail() throws {
        var s = ConsoleFixture.state()
        s.press(.char("6"), .down, .down, .enter)
        try golden.assertSnapshot(s, "policy-detail-invalid")
    }

    @Test func newPolicyFormWithAnError() throws {
        var s = ConsoleFixture.state()
        s.press(.char("6"), .char("n"))
        s.type("server:nosuch")
        s.press(.enter)
        try golden.assertSnapshot(s, "new-policy-form")
    }

    @Test func subscriptions() throws {
        var s = ConsoleFixture.state()
        s.press(.char("7"), .down)
        try golden.assertSnapshot(s, "subscriptions")
    }

    @Test func subscriptionsAt80ColumnsInASCII() throws {
        var s = ConsoleFixture.state(width: 80, height: 24)
        s.asciiOnly = true
        s.press(.char("7"))
        try golden.assertSnapshot(s, "subscriptions-80x24-ascii")
        #expect(ConsoleRenderer.render(s).cells.allSatisfy { $0.text.unicodeScalars.allSatisfy(\.isASCII) })
    }

    @Test func toolDetailWithABrokenServerPolicy() throws {
        var s = ConsoleFixture.state()
        s.press(.char("3"), .down, .enter, .enter)
        try golden.assertSnapshot(s, "tool-detail-policies")
    }

    @Test func newSubscriptionForm() throws {
        var s = ConsoleFixture.state()
        s.press(.char("7"), .char("n"))
        s.type("ci-bot")
        s.press(.tab, .char(" "), .tab, .char(" "))
        try golden.assertSnapshot(s, "subscription-new-form")
    }

    @Test func subscriptionKeyShownOnce() throws {
        var s = ConsoleFixture.state()
        s.press(.char("7"))
        let key = "ghk_" + String(repeating: "Ab3x", count: 10) + "Zq9"
        _ = s.handle(
            .effectFinished(
                EffectOutcome(
                    succeeded: true, message: "created subscription 'ci-bot' (key …kZq9)",
                    shownOnce: ShownOnce(
                        title: "Subscription key", lines: ["The key of subscription ci-bot, for every server.", "Clients send it in a header."],
                        value: key))))
        try golden.assertSnapshot(s, "subscription-key-shown-once")
    }

    @Test func newCredentialFormMasksTheSecret() throws {
        var s = ConsoleFixture.state()
        s.press(.char("8"), .char("n"))
        s.type("pets-key")
        s.press(.tab)
        s.type("api-key")
        s.press(.tab)
        s.type("s3cr3t-never-shown")
        let text = ConsoleRenderer.render(s).text
        #expect(!text.contains("s3cr3t") && text.contains(String(repeating: "•", count: 18)))
        try golden.assertSnapshot(s, "credential-new-form")
    }

    @Test func emptyPoliciesAndSubscriptions() throws {
        var s = ConsoleFixture.state()
        s.data.policies = []
        s.data.subscriptions = []
        s.press(.char("6"))
        let policies = ConsoleRenderer.render(s).text
        #expect(policies.contains("No policy documents yet: press n to write one"))
        s.press(.char("7"))
        #expect(ConsoleRenderer.render(s).text.contains("No subscriptions: n creates one (its key is shown once)"))
    }
}
