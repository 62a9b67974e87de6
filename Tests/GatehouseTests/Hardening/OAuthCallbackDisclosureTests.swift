import Foundation
import Testing

@testable import GatewayEngine

/// Issue #13 (low): `/oauth/callback` never shows an unauthenticated caller where the master key lives.
@Suite("Hardening: OAuth callback disclosure", .serialized)
struct OAuthCallbackDisclosureTests {
    @Test("a broken master key file gives the caller a generic page; the path goes to the admin's events")
    func genericError() async throws {
        let dir = TempDir()
        let keyPath = dir.path + "/master.key"
        try "not a key".write(toFile: keyPath, atomically: true, encoding: .utf8)
        let g = try await TestGateway.start(directory: dir)
        defer { g.stop() }
        let reply = try await send("http://127.0.0.1:\(g.port)/oauth/callback?state=abc&code=xyz", method: "GET", json: false)
        #expect(reply.status >= 400)
        #expect(!reply.body.contains(dir.path) && !reply.body.contains("master.key"), "\(reply.body)")
        #expect(reply.body.contains("administrator"))
        // The detail names the file (what the old page showed the caller); only the admin sees it now.
        #expect(g.gateway.monitor.recentEvents(limit: 50).contains { $0.message.contains("OAuth callback failed") && $0.message.contains(keyPath) })
        try await UnboundedNamesTests.wellBehavedClient(g)
    }
}
