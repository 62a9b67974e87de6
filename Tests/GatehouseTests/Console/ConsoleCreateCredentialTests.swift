import Foundation
import Store
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// `n` on screen 8: a credential provider added from the console. The secret is typed or pasted into a masked field:
/// never drawn, never in a description of the state, sealed before it reaches the store, never in the flash or the log.
@Suite("Console: credential providers created from the console", .serialized, .timeLimit(.minutes(1)))
struct ConsoleCreateCredentialTests {
    typealias Fixture = ConsoleDriverTests.Fixture
    static let canary = "CANARY-sEcReT-Vq93kLm2Xz-777"

    @MainActor
    func driver(_ f: Fixture, _ reports: ReportLog) -> ConsoleDriver {
        ConsoleDriver(
            state: ConsoleState(width: 120, height: 36),
            sampler: ConsoleDataSampler(monitoring: f.monitor, store: f.store, listenAddress: { "http://127.0.0.1:8080" }, environment: [:]),
            executor: ConsoleEffectExecutor(store: f.store, readOnly: false, report: { reports.add($0, $1) }, environment: [:]),
            editSession: ConsoleEditSession(store: f.store, directory: f.dir))
    }

    @MainActor
    func type(_ driver: ConsoleDriver, _ text: String) async {
        for c in text { await driver.send(.key(.char(c))) }
    }

    /// Every 6-character piece of the canary.
    func leaks(_ text: String) -> [String] {
        let chars = Array(Self.canary)
        return (0...(chars.count - 6)).map { String(chars[$0..<($0 + 6)]) }.filter(text.contains)
    }

    @Test("an api-key provider: the secret typed and pasted is masked, sealed, and named nowhere")
    @MainActor
    func addApiKeyProvider() async throws {
        let f = try Fixture()
        let reports = ReportLog()
        let driver = driver(f, reports)
        await driver.refresh()
        await driver.send(.key(.char("8")))
        await driver.send(.key(.char("n")))
        await type(driver, "pets-key")
        await driver.send(.key(.tab))
        await type(driver, "api-key")
        await driver.send(.key(.tab))
        // Half typed, half pasted (with the trailing newline a copied token often has).
        let half = Self.canary.count / 2
        await type(driver, String(Self.canary.prefix(half)))
        await driver.send(.paste(String(Self.canary.dropFirst(half)) + "\n"))
        await driver.send(.paste("two\nlines"))
        #expect(driver.state.flash?.message == "paste ignored: a secret has no line breaks, and this paste has several lines")
        await driver.send(.key(.tab))
        await type(driver, "X-Pets-Key")

        let shown = driver.screen.text
        #expect(shown.contains("Secret") && shown.contains(String(repeating: "•", count: Self.canary.count)))
        #expect(leaks(shown).isEmpty, "the secret is on screen:\n\(shown)")
        #expect(leaks("\(driver.state.mode)").isEmpty && "\(driver.state.mode)".contains("masked characters"))

        await driver.send(.key(.enter))
        #expect(driver.state.mode == .normal, "\(driver.state.mode)")
        let flash = try #require(driver.state.flash).message
        #expect(flash.hasPrefix("added api-key provider 'pets-key' (secret sealed with the master key from "), "\(flash)")
        #expect(leaks(flash).isEmpty)
        #expect(!reports.messages.isEmpty && reports.messages.allSatisfy { leaks($0).isEmpty })
        #expect(leaks(driver.screen.text).isEmpty)

        // Sealed in the store, and opens to exactly what was typed and pasted.
        let provider = try f.store.credentialProvider(named: "pets-key")
        #expect(provider.kind == "api-key")
        #expect(leaks(provider.secret ?? "").isEmpty && provider.secret != nil)
        let vault = try CredentialVault.open(store: f.store, environment: [:], create: false)
        #expect(try vault.openProviderSecret(provider)?.unmasked == Self.canary)
        #expect(try f.store.credentialConnection(named: "pets-key").status == "connected")
        #expect(driver.state.data.credentials.providers.map(\.name) == ["pets-key"])
    }

    @Test("the form refuses a missing secret, an unknown type, settings of the wrong kind and a private token URL")
    @MainActor
    func refusals() async throws {
        let f = try Fixture()
        let driver = driver(f, ReportLog())
        await driver.refresh()
        await driver.send(.key(.char("8")))

        func submit(_ values: [String: String]) async -> String? {
            await driver.send(.key(.char("n")))
            guard case .form(let form) = driver.state.mode else { return "no form" }
            for (i, field) in form.fields.enumerated() {
                if i > 0 { await driver.send(.key(.tab)) }
                if let v = values[field.label] { await type(driver, v) }
            }
            await driver.send(.key(.enter))
            guard case .form(let after) = driver.state.mode else { return nil }
            await driver.send(.key(.escape))
            return after.error
        }
        #expect(await submit(["Name": "a", "Type": "bearer"]) == "a bearer provider needs its secret")
        #expect(await submit(["Name": "a", "Type": "magic", "Secret": "x"])?.hasPrefix("the type is one of api-key") == true)
        #expect(await submit(["Name": "none", "Type": "bearer", "Secret": "x"])?.contains("and not 'none'") == true)
        let oauth = await submit([
            "Name": "o", "Type": "client-credentials", "Secret": Self.canary, "Token URL": "http://127.0.0.1:9/token", "Client id": "cid",
        ])
        #expect(oauth?.contains("127.0.0.1") == true, "\(oauth ?? "")")
        #expect(leaks(oauth ?? "").isEmpty)
        #expect(try f.store.credentialProviders().isEmpty)
    }

    @Test("a client-credentials provider keeps every OAuth setting the CLI takes: scopes, audience, client authentication")
    @MainActor
    func oauthSettings() async throws {
        let f = try Fixture()
        let driver = driver(f, ReportLog())
        await driver.refresh()
        await driver.send(.key(.char("8")))
        await driver.send(.key(.char("n")))
        guard case .form(let form) = driver.state.mode else {
            Issue.record("no form")
            return
        }
        let values = [
            "Name": "billing", "Type": "client-credentials", "Secret": Self.canary, "Token URL": "http://127.0.0.1:9/oauth/token",
            "Client id": "gatehouse", "Scopes": "read write", "Audience": "billing-api", "Client auth": "post",
        ]
        for (i, field) in form.fields.enumerated() {
            if i > 0 { await driver.send(.key(.tab)) }
            if let v = values[field.label] { await type(driver, v) }
            if field.label == "Private network" { await driver.send(.key(.char(" "))) }
        }
        await driver.send(.key(.enter))
        #expect(driver.state.mode == .normal, "\(driver.state.mode)")
        let provider = try f.store.credentialProvider(named: "billing")
        let settings = provider.settings
        for expected in [#""audience":"billing-api""#, #""clientAuthentication":"post""#, #""clientID":"gatehouse""#, "read", "write"] {
            #expect(settings.contains(expected), "\(settings)")
        }
        #expect(provider.allowPrivateNetwork)
        #expect(leaks(settings).isEmpty)
    }
}
