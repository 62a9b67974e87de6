import Foundation
import Testing

@testable import GatewayEngine

/// Issue #13 item 9: a non-loopback bind checks Host against --allowed-host and --public-url.
@Suite("Hardening: Host on a non-loopback bind")
struct HostCheckTests {
    static func config(host: String, allowed: [String] = [], publicURL: String? = nil) -> GatewayConfiguration {
        var c = GatewayConfiguration()
        c.host = host
        c.allowedHosts = allowed
        c.publicURL = publicURL
        return c
    }

    @Test("0.0.0.0 with --allowed-host or --public-url accepts only those names, and URLs use them")
    func checked() {
        let listed = OriginPolicy(configuration: Self.config(host: "0.0.0.0", allowed: ["gw.example"]))
        #expect(listed.refusal(host: "gw.example:8080", origin: nil) == nil)
        #expect(listed.refusal(host: "evil.example", origin: nil) != nil)
        #expect(listed.checkedHost("gw.example"))
        let viaURL = OriginPolicy(configuration: Self.config(host: "0.0.0.0", publicURL: "https://mcp.example.org"))
        #expect(viaURL.refusal(host: "mcp.example.org", origin: nil) == nil)
        #expect(viaURL.refusal(host: "attacker.example", origin: nil) != nil)
        #expect(Self.config(host: "0.0.0.0", allowed: ["gw.example"]).hostCheckWarning == nil)
    }

    @Test("0.0.0.0 with neither warns and never treats Host as checked; a specific address accepts only itself")
    func unchecked() {
        let c = Self.config(host: "0.0.0.0")
        #expect(c.hostCheckWarning?.contains("--allowed-host") == true)
        let wildcard = OriginPolicy(configuration: c)
        #expect(!wildcard.checkedHost("attacker.example"))
        let specific = OriginPolicy(configuration: Self.config(host: "192.0.2.10"))
        #expect(specific.refusal(host: "192.0.2.10:8080", origin: nil) == nil)
        #expect(specific.refusal(host: "attacker.example", origin: nil) != nil)
        #expect(OriginPolicy(configuration: Self.config(host: "127.0.0.1")).checkedHost("localhost:8080"))
    }
}
