import Foundation
import GatewayEngine
import Store
import Testing

@testable import ConsoleUI

/// The Credentials screen through the headless driver with a real store and master key: authorising a connection,
/// a deletion the store refuses (an API uses the connection), deleting a connection and then its provider.
@Suite("Console driver: credentials", .serialized, .timeLimit(.minutes(1)))
struct ConsoleCredentialsDriverTests {
    typealias Fixture = ConsoleDriverTests.Fixture

    @MainActor
    func driver(_ f: Fixture, readOnly: Bool = false) -> ConsoleDriver {
        let sampler = ConsoleDataSampler(
            monitoring: f.monitor, store: f.store, listenAddress: { "http://127.0.0.1:8080" }, environment: [:], credentialInterval: 0)
        return ConsoleDriver(
            state: ConsoleState(readOnly: readOnly, width: 100, height: 30), sampler: sampler,
            executor: ConsoleEffectExecutor(store: f.store, readOnly: readOnly, environment: [:]),
            editSession: ConsoleEditSession(store: f.store, directory: f.dir))
    }

    @MainActor
    func press(_ driver: ConsoleDriver, _ keys: Key...) async {
        for key in keys { await driver.send(.key(key)) }
    }

    @Test("authorize shows the URL on the connection's page; a delete the store refuses shows why; connection, then provider, deleted")
    @MainActor
    func authorizeAndDelete() async throws {
        let f = try Fixture()
        #expect(await f.executor().execute(.loadDemo)?.succeeded == true)
        let service = CredentialService(vault: try CredentialVault.open(store: f.store, environment: [:], create: true))
        try service.addProvider(
            name: "demo-key", kind: .apiKey, settings: .init(), secret: SecretValue("demo-key-abcdefgh-12345678"), allowPrivateNetwork: false)
        try service.addProvider(
            name: "github", kind: .authorizationCode,
            settings: .init(
                tokenURL: "http://127.0.0.1:9/token", authorizationURL: "http://127.0.0.1:9/authorize", clientID: "cid", scopes: ["repo"]),
            secret: nil, allowPrivateNetwork: true)
        let driver = driver(f)
        await driver.refresh()
        await press(driver, .char("8"))
        var screen = driver.screen.text
        #expect(screen.contains("Master key: loaded from \(CredentialVault.keyFilePath(for: f.store))"))
        #expect(screen.contains("demo-key") && screen.contains("▲ pending"))

        // github (authorization-code, pending) is the second row.
        await press(driver, .down, .char("c"))
        #expect(driver.state.screen == .credentialDetail)
        screen = driver.screen.text
        #expect(screen.contains("authorization URL for 'github' ready: open it within 10 minutes (it works once)"))
        #expect(screen.contains("\nhttp://127.0.0.1:9/authorize?"))
        let url = try #require(driver.state.authorization?.url)
        #expect(url.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Foauth%2Fcallback") && url.contains("client_id=cid"))
        #expect(try f.store.credentialConnection(named: "github").status == "pending")
        #expect(screen.contains("waiting for authorization in a browser"))
        await press(driver, .escape)

        // An API starts using demo-key after the last sample: the store refuses and the console shows its message.
        let demo = try #require(try f.store.apis().first)
        try f.store.setAPICredential(named: demo.name, connection: "demo-key", origin: credentialOrigin(of: demo.baseUrl ?? ""))
        await press(driver, .up)
        #expect(driver.state.targetCredential?.name == "demo-key")
        await press(driver, .char("d"))
        guard case .confirm = driver.state.mode else {
            Issue.record("the stale data does not show the binding: the console asks")
            return
        }
        await press(driver, .char("y"))
        #expect(driver.state.flash?.message == "API 'demo' uses connection 'demo-key'; detach it first (gatehouse api set demo --credential none)")
        #expect(driver.screen.text.contains("✗ error: API 'demo' uses connection 'demo-key'; detach it first"))
        #expect(try f.store.credentialConnections().count == 2)
        // Now the console knows: the API detail shows the binding.
        await press(driver, .char("2"), .enter)
        #expect(driver.screen.text.contains("Credential demo-key   ·   bound to \(credentialOrigin(of: demo.baseUrl ?? "") ?? "?")"))

        // The github connection goes, then its provider (now a row without a connection).
        await press(driver, .char("8"), .end, .char("d"), .char("y"))
        #expect(try f.store.credentialConnections().map(\.name) == ["demo-key"])
        #expect(driver.screen.text.contains("deleted connection 'github'"))
        await press(driver, .end)
        #expect(driver.state.targetCredential?.name == "github")
        #expect(driver.screen.text.contains("provider only"))
        await press(driver, .char("d"), .char("y"))
        #expect(try f.store.credentialProviders().map(\.name) == ["demo-key"])
    }

    @Test("read-only: nothing is authorised or deleted")
    @MainActor
    func readOnly() async throws {
        let f = try Fixture()
        let service = CredentialService(vault: try CredentialVault.open(store: f.store, environment: [:], create: true))
        try service.addProvider(
            name: "github", kind: .authorizationCode,
            settings: .init(tokenURL: "http://127.0.0.1:9/token", authorizationURL: "http://127.0.0.1:9/authorize", clientID: "cid"), secret: nil,
            allowPrivateNetwork: true)
        let driver = driver(f, readOnly: true)
        await driver.refresh()
        await press(driver, .char("8"), .char("c"), .char("d"))
        #expect(driver.screen.text.contains("read-only mode"))
        // No confirmation was opened, so a y that follows confirms nothing.
        await press(driver, .char("y"))
        #expect(try f.store.credentialConnection(named: "github").status == "pending")
        #expect(try f.store.credentialConnections().count == 1)
        #expect(driver.state.authorization == nil)
        let refused = try #require(await driver.executor.execute(.deleteCredentialConnection(name: "github")))
        #expect(!refused.succeeded)
    }
}
