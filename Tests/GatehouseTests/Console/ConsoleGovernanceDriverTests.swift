import ConsoleUI
import Foundation
import Store
import Testing

@testable import GatewayEngine

/// Policies and subscriptions through the headless driver: a real store, the edit session with a scripted editor,
/// the executor and the sampler.
@Suite("Console driver: policies and subscriptions", .serialized, .timeLimit(.minutes(1)))
struct ConsoleGovernanceDriverTests {
    typealias Fixture = ConsoleDriverTests.Fixture

    static let invalid = "inbound:\n  - rate-limit-by-key: { renewal-period: 30 }\n"
    static let valid = "inbound:\n  - quota: { calls: 100, renewal-period: 3600 }\n"

    /// Types a new scope into the `n` form on the Policies screen.
    @MainActor
    func newPolicy(_ driver: ConsoleDriver, scope: String) async {
        await driver.send(.key(.char("6")))
        await driver.send(.key(.char("n")))
        for c in scope { await driver.send(.key(.char(c))) }
        await driver.send(.key(.enter))
    }

    @Test("a new tool policy: an invalid document is refused and reopened with the error, then the fixed one is saved")
    @MainActor
    func newPolicyValidatedThenSaved() async throws {
        let f = try Fixture()
        #expect(await f.executor().execute(.loadDemo)?.succeeded == true)
        let driver = f.driver()
        await driver.refresh()
        var seen: [String] = []
        var storedWhileInvalid: [PolicyRecord?] = []
        driver.editFile = { path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            seen.append(text)
            storedWhileInvalid.append(try f.store.policy(scope: "tool:demo/getPet"))
            let edited = seen.count == 1 ? text.replacingOccurrences(of: "inbound:\n", with: Self.invalid) : Self.valid
            try edited.write(toFile: path, atomically: true, encoding: .utf8)
        }
        await newPolicy(driver, scope: "tool:demo/getPet")
        #expect(seen.count == 2)
        #expect(seen[0].contains("# Gatehouse: the policy document of tool:demo/getPet"))
        #expect(seen[0].contains("# - rate-limit-by-key:"))
        #expect(seen[1].hasPrefix("# error: policy tool:demo/getPet: inbound[0].rate-limit-by-key: calls:"))
        #expect(storedWhileInvalid == [nil, nil])
        #expect(try f.store.policy(scope: "tool:demo/getPet")?.document == Self.valid)
        #expect(driver.screen.text.contains("saved the policy document of tool:demo/getPet: 1 inbound, 0 outbound"))
        #expect(driver.state.data.policies.map(\.scope) == ["tool:demo/getPet"])
        let getPet = driver.state.data.servers.first?.tools.first { $0.name == "getPet" }
        #expect(getPet?.policies == [ConsoleData.PolicyStep(section: "inbound", scope: "tool:demo/getPet", policy: "quota")])

        // Editing it again shows the stored text under the header; the header is never stored.
        seen = []
        driver.editFile = { path in
            let text = try String(contentsOfFile: path, encoding: .utf8)
            seen.append(text)
            try text.replacingOccurrences(of: "calls: 100", with: "calls: 200").write(toFile: path, atomically: true, encoding: .utf8)
        }
        await driver.send(.key(.char("e")))
        #expect(seen.count == 1 && seen[0].hasSuffix(Self.valid))
        #expect(try f.store.policy(scope: "tool:demo/getPet")?.document == Self.valid.replacingOccurrences(of: "100", with: "200"))
    }

    @Test("an invalid document abandoned after the error is not saved; an unchanged template saves nothing")
    @MainActor
    func invalidDocumentIsNeverSaved() async throws {
        let f = try Fixture()
        let driver = f.driver()
        await driver.refresh()
        var calls = 0
        driver.editFile = { path in
            calls += 1
            if calls == 1 { try Self.invalid.write(toFile: path, atomically: true, encoding: .utf8) }
        }
        await newPolicy(driver, scope: "global")
        #expect(calls == 2)
        #expect(try f.store.policies().isEmpty)
        #expect(driver.screen.text.contains("edit abandoned after an error; your text is kept in"))

        driver.editFile = { _ in }
        await newPolicy(driver, scope: "global")
        #expect(try f.store.policies().isEmpty)
        #expect(driver.screen.text.contains("no changes"))
    }

    @Test("the executor suspends, resumes and deletes subscriptions, toggles a server's key requirement, deletes policies")
    func governanceEffects() async throws {
        let f = try Fixture()
        #expect(await f.executor().execute(.loadDemo)?.succeeded == true)
        try f.store.createSubscription(
            SubscriptionRecord.New(name: "bot", keyHash: String(repeating: "ab", count: 32), keyHint: "wxyz", servers: ["demo"]))
        try f.store.setPolicy(scope: "server:demo", document: "inbound:\n  - ip-filter: { action: forbid, addresses: [192.0.2.1] }\n")
        let run = { (effect: ConsoleEffect) async in await f.executor().execute(effect) }

        #expect(
            await run(.setSubscriptionActive(name: "bot", active: false))?.message == "suspended subscription 'bot': its key is refused until resumed"
        )
        #expect(try f.store.subscription(named: "bot").state == .suspended)
        var data = ConsoleDataSampler(monitoring: f.monitor, store: f.store).sample()
        #expect(data.subscriptions.count == 1 && data.subscriptions.first?.keyHint == "wxyz" && data.subscriptions.first?.active == false)
        #expect(data.subscriptions.first?.servers == ["demo"])
        #expect(data.policies.first?.inbound == ["ip-filter"])
        #expect(data.servers.first?.tools.allSatisfy { $0.policies.map(\.policy) == ["ip-filter"] } == true)

        #expect(await run(.setSubscriptionActive(name: "bot", active: true))?.succeeded == true)
        #expect(try f.store.subscription(named: "bot").state == .active)
        #expect(await run(.setServerRequiresSubscription(name: "demo", required: true))?.succeeded == true)
        #expect(try f.store.server(named: "demo").requireSubscription)
        data = ConsoleDataSampler(monitoring: f.monitor, store: f.store).sample()
        #expect(data.servers.first?.requireSubscription == true)

        #expect(await run(.deletePolicy(scope: "server:demo"))?.message == "deleted the policy document of server:demo")
        #expect(try f.store.policies().isEmpty)
        #expect(await run(.deleteSubscription(name: "bot"))?.succeeded == true)
        #expect(try f.store.subscriptions().isEmpty)
        let missing = try #require(await run(.deleteSubscription(name: "bot")))
        #expect(!missing.succeeded && missing.message.contains("no subscription named 'bot'"))

        let refused = try #require(await f.executor(readOnly: true).execute(.setServerRequiresSubscription(name: "demo", required: false)))
        #expect(!refused.succeeded && refused.message.contains("read-only"))
        #expect(try f.store.server(named: "demo").requireSubscription)
    }

    @Test("a policy for a server or tool that vanished while editing is refused by the edit session")
    func editSessionChecksTheTarget() async throws {
        let f = try Fixture()
        let session = ConsoleEditSession(store: f.store, directory: f.dir)
        var attempts = 0
        let outcome = await session.run(.policy(scope: "server:nosuch")) { path in
            attempts += 1
            if attempts == 1 { try Self.valid.write(toFile: path, atomically: true, encoding: .utf8) }
        }
        #expect(attempts == 2)
        #expect(!outcome.succeeded)
        #expect(try f.store.policies().isEmpty)
        // The template itself is a valid document once its examples are uncommented.
        let template = try session.document(for: .policy(scope: "global"))
        let uncommented = template.replacingOccurrences(of: "  # - ", with: "  - ")
        let document = try PolicyDocument.parse(yaml: uncommented, source: "template")
        #expect(document.inbound.count == 4 && document.outbound.count == 1)
    }
}
