import Foundation
import Store
import Testing

@testable import ConsoleUI
@testable import GatewayEngine

/// No secret reaches the screen: canary secrets and tokens are sealed into a real store, sampled, and every
/// credentials page (list, each detail, dialogs, help, the API detail, locked and unlocked, Unicode and ASCII, two
/// sizes) is rendered into a `CellBuffer`; no piece of a canary may appear, only a secret's last four characters behind
/// a mask.
@Suite("Console: secrets never reach the screen", .serialized, .timeLimit(.minutes(1)))
struct ConsoleCredentialsSecrecyTests {
    typealias Fixture = ConsoleDriverTests.Fixture

    static let canary = "CANARY-qZ8vK3mWx-1234567890"
    static let oauthCanary = "CANARY-Oa-Yt5Nc2Lq-5550001111"
    static let token = "CANARY-TOKEN-pL4nR7sB-0987654321"
    static let refresh = "CANARY-REFRESH-Hd8Wf3Ve-4443332221"

    /// Every credentials page of `data`, rendered as text.
    func screens(_ data: ConsoleData) -> [String] {
        var out: [String] = []
        for (width, height) in [(100, 30), (80, 24)] {
            for ascii in [false, true] {
                var s = ConsoleState(width: width, height: height, data: data)
                s.asciiOnly = ascii
                func render() { out.append(ConsoleRenderer.render(s).text) }
                s.press(.char("8"))
                render()
                for i in 0..<s.credentialRows(s.page).count {
                    s.press(.home)
                    for _ in 0..<i { s.press(.down) }
                    s.press(.enter)
                    render()
                    s.press(.end)
                    render()
                    s.press(.char("d"))
                    render()
                    s.press(.char("n"), .escape)
                }
                s.press(.char("/"))
                s.type("canary")
                render()
                s.press(.escape, .char("?"))
                render()
                s.press(.char("2"), .enter)
                render()
            }
        }
        return out
    }

    /// Every 6-character piece of `secret`: a mask shows at most its last 4 characters.
    func pieces(_ secret: String) -> [String] {
        let chars = Array(secret)
        return (0...(chars.count - 6)).map { String(chars[$0..<($0 + 6)]) }
    }

    @Test("canary secrets and tokens, sealed in a real store, never appear on any credentials screen")
    func canariesNeverReachTheScreen() async throws {
        let f = try Fixture()
        #expect(await f.executor().execute(.loadDemo)?.succeeded == true)
        let service = CredentialService(vault: try CredentialVault.open(store: f.store, environment: [:], create: true))
        try service.addProvider(
            name: "canary-key", kind: .apiKey, settings: .init(headerName: "X-Canary"), secret: SecretValue(Self.canary), allowPrivateNetwork: false)
        try service.addProvider(
            name: "canary-oauth", kind: .authorizationCode,
            settings: .init(tokenURL: "http://127.0.0.1:9/token", authorizationURL: "http://127.0.0.1:9/authorize", clientID: "cid"),
            secret: SecretValue(Self.oauthCanary), allowPrivateNetwork: true)
        try service.store(
            OAuthTokens(accessToken: SecretValue(Self.token), refreshToken: SecretValue(Self.refresh), expiresAt: Date().addingTimeInterval(3600)),
            connection: "canary-oauth")
        let demo = try #require(try f.store.apis().first)
        try f.store.setAPICredential(named: demo.name, connection: "canary-key", origin: credentialOrigin(of: demo.baseUrl ?? ""))
        let sealed = try f.store.sealedFields().map(\.value)
        #expect(sealed.count == 4)

        let sampler = { ConsoleDataSampler(monitoring: f.monitor, store: f.store, listenAddress: { "http://127.0.0.1:8080" }, environment: [:]) }
        var unlocked = sampler().sample()
        #expect(unlocked.credentials.vault == .unlocked(keySource: CredentialVault.keyFilePath(for: f.store)))
        #expect(unlocked.credentials.providers.map(\.maskedSecret) == ["••••7890", "••••1111"])
        // An authorization URL in view as well.
        let authorized = try #require(
            await f.executor().execute(.authorizeConnection(name: "canary-oauth", redirectURI: "http://127.0.0.1:8080/oauth/callback")))
        #expect(authorized.succeeded && authorized.authorization?.url.hasPrefix("http://127.0.0.1:9/authorize?") == true)
        unlocked = sampler().sample()
        var withLink = ConsoleState(data: unlocked)
        withLink.press(.char("8"))
        _ = withLink.handle(.effectFinished(authorized))
        var all = screens(unlocked) + [ConsoleRenderer.render(withLink).text]

        try FileManager.default.removeItem(atPath: CredentialVault.keyFilePath(for: f.store))
        let locked = sampler().sample()
        guard case .locked(let reason) = locked.credentials.vault else {
            Issue.record("not locked")
            return
        }
        #expect(reason.hasPrefix("no master key"))
        let lockedScreens = screens(locked)
        #expect(lockedScreens.contains { $0.contains("credentials locked: no master key") })
        all += lockedScreens

        #expect(all.count > 40)
        #expect(all.contains { $0.contains("••••7890") } && all.contains { $0.contains("????7890") })
        for screen in all {
            for secret in [Self.canary, Self.oauthCanary, Self.token, Self.refresh] {
                for piece in pieces(secret) where screen.contains(piece) {
                    Issue.record("'\(piece)' of a secret is on screen:\n\(screen)")
                }
            }
            for text in sealed where screen.contains(String(text.suffix(24))) {
                Issue.record("sealed text is on screen:\n\(screen)")
            }
        }
    }
}
