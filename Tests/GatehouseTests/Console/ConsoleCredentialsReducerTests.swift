import Foundation
import Testing

@testable import ConsoleUI

/// The Credentials screen (8) in the reducer: navigation, keys, effects, the authorization URL, read-only mode.
@Suite("Console reducer: credentials")
struct ConsoleCredentialsReducerTests {
    typealias F = ConsoleFixture

    func text(_ s: ConsoleState) -> String { ConsoleRenderer.render(s).text }

    /// The state on screen 8 with the cursor on `name`.
    func on(_ name: String, readOnly: Bool = false) -> ConsoleState {
        var s = F.state(readOnly: readOnly)
        s.press(.char("8"))
        while s.targetCredential?.name != name, s.page.selected < s.credentialRows(s.page).count - 1 { s.press(.down) }
        return s
    }

    @Test func reachableByNumberTabAndCommand() {
        var s = F.state()
        s.press(.char("8"))
        #expect(s.screen == .credentials)
        #expect(HeaderView.breadcrumbs(RenderContext(s)) == ["Credentials"])
        s.press(.tab)
        #expect(s.screen == .upstreams)
        s.press(.backTab)
        #expect(s.screen == .credentials)
        for command in ["credentials", "creds", "cred"] {
            s.press(.char("1"), .char(":"))
            s.type(command)
            #expect(s.press(.enter) == [])
            #expect(s.screen == .credentials, "\(command)")
        }
        s.press(.char(":"))
        s.type("cr")
        s.press(.tab)
        guard case .command(let c) = s.mode else {
            Issue.record("not in command mode")
            return
        }
        #expect(c.input.text == "credentials")
    }

    @Test func rowsAreConnectionsThenProvidersWithoutOne() {
        var s = F.state()
        s.press(.char("8"))
        let rows = s.credentialRows(s.page)
        #expect(rows.map(\.name) == ["billing-oauth", "github-alice", "github-bob", "github-carol", "petstore-key", "weather-token", "legacy-basic"])
        #expect(rows.map { $0.connection?.status ?? "-" } == ["error", "connected", "pending", "expired", "connected", "connected", "-"])
        #expect(rows.first { $0.name == "petstore-key" }?.apis.map(\.name) == ["petstore"])
        let screen = text(s)
        #expect(screen.contains("Master key: loaded from /var/lib/gatehouse/master.key  ·  5 providers, 6 connections"))
        #expect(screen.contains("✖ error") && screen.contains("▲ pending") && screen.contains("▲ expired") && screen.contains("● connected"))
        #expect(screen.contains("in 52m") && screen.contains("3d 0h ago"))
        #expect(!screen.contains(F.sealed))
        s.press(.char("/"))
        s.type("github")
        s.press(.enter)
        #expect(s.credentialRows(s.page).map(\.name) == ["github-alice", "github-bob", "github-carol"])
        s.press(.escape)
        s.press(.char("/"))
        s.type("petstore")
        #expect(s.credentialRows(s.page).map(\.name) == ["petstore-key"], "the filter matches the APIs using it")
    }

    @Test func enterOpensTheDetailAndEscReturnsToTheRow() {
        var s = on("github-alice")
        s.press(.enter)
        #expect(s.screen == .credentialDetail)
        #expect(HeaderView.breadcrumbs(RenderContext(s)) == ["Credentials", "github-alice"])
        let screen = text(s)
        #expect(screen.contains("CONNECTION  github-alice"))
        #expect(screen.contains("access token held, expires 2027-01-15 08:52 (in 52m); refresh token held"))
        #expect(screen.contains("Client id        Iv1.8a61f9b3a7aba766"))
        #expect(screen.contains("Scopes           repo read:user"))
        #expect(screen.contains("Client secret    ••••c0de"))
        #expect(screen.contains("none: attach it with gatehouse api set API --credential github-alice"))
        s.press(.escape)
        #expect(s.screen == .credentials)
        #expect(s.targetCredential?.name == "github-alice")
        // A provider without a connection has a page too.
        s.press(.end, .enter)
        let orphan = text(s)
        #expect(orphan.contains("PROVIDER  legacy-basic") && orphan.contains("no connection: nothing can use it"))
        #expect(orphan.contains("User name        svc-gatehouse") && orphan.contains("Password         ••••"))
        #expect(!orphan.contains("USED BY") && !orphan.contains("c shows a new authorization URL"))
    }

    @Test func authorizeAnAuthorizationCodeConnection() {
        var s = on("github-bob")
        #expect(s.press(.char("c")) == [.authorizeConnection(name: "github-bob", redirectURI: "http://127.0.0.1:8080/oauth/callback")])
        // Static, client-credentials and provider-only rows are refused with a reason.
        for (name, reason) in [
            ("petstore-key", "is a api-key credential: only authorization-code connections"), ("billing-oauth", "only authorization-code"),
            ("legacy-basic", "has no connection"),
        ] {
            var t = on(name)
            #expect(t.press(.char("c")) == [], "\(name)")
            #expect(t.flash?.kind == .error && t.flash?.message.contains(reason) == true, "\(t.flash?.message ?? "")")
        }
        var locked = on("github-bob")
        locked.data.credentials = F.credentials(locked: true)
        #expect(locked.press(.char("c")) == [])
        #expect(locked.flash?.message == "credentials locked: " + F.lockedReason)
        var starting = on("github-bob")
        starting.data.listenAddress = ""
        #expect(starting.press(.char("c")) == [])
        #expect(starting.flash?.message.contains("not listening yet") == true)
    }

    @Test func theAuthorizationURLOpensTheConnectionPageUntilItIsUsed() {
        var s = on("github-bob")
        let link = AuthorizationLink(
            connection: "github-bob", url: "https://github.com/login/oauth/authorize?response_type=code&client_id=Iv1.8a61f9b3a7aba766&state=a",
            redirectURI: "http://127.0.0.1:8080/oauth/callback", issuedAt: F.now, expiresAt: F.now.addingTimeInterval(600))
        _ = s.handle(.effectFinished(EffectOutcome(succeeded: true, message: "authorization URL for 'github-bob' ready", authorization: link)))
        #expect(s.screen == .credentialDetail)
        #expect(s.page.route == .credential(.connection("github-bob")))
        var screen = text(s)
        #expect(screen.contains("AUTHORIZE  open this URL in a browser (it works once, until 08:10:00):"))
        #expect(screen.contains("\n" + link.url + "\n"), "the URL starts at column 0, in one piece at 100 columns")
        #expect(screen.contains("Redirect URI     http://127.0.0.1:8080/oauth/callback (register it with the provider)"))
        // Once the connection is authorised after the link was made, the link goes.
        var data = s.data
        let i = data.credentials.connections.firstIndex { $0.name == "github-bob" }!
        data.credentials.connections[i].status = "connected"
        data.credentials.connections[i].updatedAt = F.now.addingTimeInterval(30)
        _ = s.handle(.data(data))
        #expect(!text(s).contains("AUTHORIZE"))
        // An expired link is not shown, only a note.
        var expired = on("github-bob")
        var old = link
        old.expiresAt = F.now.addingTimeInterval(-1)
        _ = expired.handle(.effectFinished(EffectOutcome(succeeded: true, message: "ready", authorization: old)))
        screen = text(expired)
        #expect(!screen.contains(link.url) && screen.contains("The last authorization URL expired at 07:59:59: press c for a new one."))
        // Elsewhere, the link is kept for the page and the screen stays put.
        var away = F.state()
        _ = away.handle(.effectFinished(EffectOutcome(succeeded: true, message: "ready", authorization: link)))
        #expect(away.screen == .dashboard && away.authorization == link)
    }

    @Test func deleteAsksFirstAndNamesWhatGoes() {
        var s = on("github-carol")
        #expect(s.press(.char("d")) == [])
        #expect(text(s).contains("Delete the connection github-carol of provider github (authorization-code)?"))
        #expect(s.press(.char("n")) == [])
        #expect(s.press(.char("D"), .char("y")) == [.deleteCredentialConnection(name: "github-carol")])
        // An API still uses it: refused before asking, with the way out.
        var used = on("petstore-key")
        #expect(used.press(.char("d")) == [])
        #expect(used.mode == .normal)
        #expect(
            used.flash?.message == "API 'petstore' uses connection 'petstore-key'; detach it first (gatehouse api set petstore --credential none)")
        // A provider without a connection: the provider itself is deleted.
        var orphan = on("legacy-basic")
        orphan.press(.char("d"))
        #expect(text(orphan).contains("Delete the provider legacy-basic (basic) and its sealed secret?"))
        #expect(orphan.press(.char("y")) == [.deleteCredentialProvider(name: "legacy-basic")])
        // From the detail page, confirming goes back to the list.
        var detail = on("github-alice")
        detail.press(.enter, .char("d"))
        #expect(detail.press(.char("y")) == [.deleteCredentialConnection(name: "github-alice")])
        #expect(detail.screen == .credentials)
    }

    @Test func readOnlyRefusesEveryCredentialChange() {
        var s = on("github-bob", readOnly: true)
        let screen = text(s)
        #expect(!screen.contains("<c> Authorize") && !screen.contains("<d> Delete"))
        for key in [Key.char("c"), .char("d"), .char("D")] {
            #expect(s.press(key) == [])
            #expect(s.mode == .normal)
            #expect(s.flash?.message.contains("read-only mode") == true)
        }
        s.press(.enter)
        #expect(s.press(.char("c")) == [])
        #expect(!text(s).contains("c shows a new authorization URL"))
    }

    @Test func helpAndFooterComeFromTheBindingTable() {
        var s = on("github-bob")
        #expect(text(s).contains("<enter> Open  <c> Authorize  <d> Delete  </> Filter"))
        s.press(.char("?"), .end)
        #expect(text(s).contains(":credentials"))
        // The page scrolls once every screen's section is on it: read all of it.
        let (left, right) = HelpView.columns(s)
        let help = (left + right).map { $0.segments.map(\.text).joined() }.joined(separator: "\n")
        #expect(help.contains("CREDENTIALS") && help.contains("Show the URL that authorizes it"))
    }

    @Test func cursorStaysOnItsCredentialWhenRowsComeAndGo() {
        var s = on("github-carol")
        var data = F.data()
        data.credentials.connections.removeAll { $0.name == "github-alice" }
        _ = s.handle(.data(data))
        #expect(s.targetCredential?.name == "github-carol")
    }
}
