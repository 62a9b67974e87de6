// Golden screens of the Credentials screen, its pages and an API's credential; recorded and compared like
// `ConsoleGoldenTests` (GATEHOUSE_RECORD_SNAPSHOTS=1 re-records `Snapshots/<name>.txt`).

import Foundation
import Testing

@testable import ConsoleUI

@Suite("Console golden screens: credentials")
struct ConsoleCredentialsGoldenTests {
    typealias F = ConsoleFixture
    let golden = ConsoleGoldenTests()

    static let link = AuthorizationLink(
        connection: "github-bob",
        url: "https://github.com/login/oauth/authorize?response_type=code&client_id=Iv1.8a61f9b3a7aba766"
            + "&redirect_uri=http%3A%2F%2F127.0.0.1%3A8080%2Foauth%2Fcallback&scope=repo%20read%3Auser"
            + "&state=q0Yb9ZkR2mVx7LwT3nHc5JpA8sDf1GhE&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256",
        redirectURI: "http://127.0.0.1:8080/oauth/callback", issuedAt: F.now, expiresAt: F.now.addingTimeInterval(600))

    @Test func credentials() throws {
        var s = F.state()
        s.press(.char("8"), .down, .down)
        try golden.assertSnapshot(s, "credentials")
    }

    @Test func credentialsAt80ColumnsInASCII() throws {
        var s = F.state(width: 80, height: 24)
        s.asciiOnly = true
        s.press(.char("8"))
        try golden.assertSnapshot(s, "credentials-80x24-ascii")
        #expect(ConsoleRenderer.render(s).cells.allSatisfy { $0.text.unicodeScalars.allSatisfy(\.isASCII) })
    }

    @Test func authorizationURLOnTheConnectionPage() throws {
        var s = F.state()
        s.press(.char("8"), .down, .down)
        _ = s.handle(.effectFinished(EffectOutcome(succeeded: true, message: "authorization URL for 'github-bob' ready", authorization: Self.link)))
        try golden.assertSnapshot(s, "credential-detail-authorize")
    }

    @Test func staticConnectionUsedByAnAPI() throws {
        var s = F.state()
        s.press(.char("8"), .end, .up, .up, .enter)
        try golden.assertSnapshot(s, "credential-detail-static")
    }

    @Test func lockedCredentials() throws {
        var s = F.state()
        s.data.credentials = F.credentials(locked: true)
        s.press(.char("8"))
        try golden.assertSnapshot(s, "credentials-locked")
        s.press(.enter)
        try golden.assertSnapshot(s, "credential-detail-locked")
    }

    @Test func deleteConnectionConfirmation() throws {
        var s = F.state()
        s.press(.char("8"), .down, .down, .down, .char("d"))
        try golden.assertSnapshot(s, "credential-delete")
    }

    @Test func apiWhoseBaseURLMovedAwayFromItsCredential() throws {
        var s = F.state()
        s.press(.char("2"), .down, .enter)
        try golden.assertSnapshot(s, "api-detail-credential-moved")
    }

    @Test func emptyCredentialsPointToTheCLI() throws {
        var s = F.state()
        s.data.credentials = .init(vault: .locked(reason: F.lockedReason))
        s.press(.char("8"))
        try golden.assertSnapshot(s, "credentials-empty")
        let screen = ConsoleRenderer.render(s).text
        #expect(screen.contains("gatehouse credential provider add NAME --type … --secret-stdin"))
        #expect(screen.contains("Master key: none yet"))
    }
}
