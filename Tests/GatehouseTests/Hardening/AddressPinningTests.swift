import Foundation
import Synchronization
import Testing

@testable import GatewayEngine

/// Issue #13 item 4: every outbound connection goes to the address the SSRF guard approved (DNS rebinding cannot
/// slip a second answer in between), embedded-IPv4 forms are judged by their IPv4 address, and cloud metadata
/// addresses need their own opt-in.
@Suite("Hardening: connect to the approved address", .serialized)
struct AddressPinningTests {
    /// The DNS-rebinding attack, with a resolver the test controls: the guard is told `localhost` is 127.0.0.2 (where
    /// the "public" backend listens); the system resolver — which the HTTP client used to consult a second time —
    /// says 127.0.0.1, where an "internal" service listens on the same port. The call must land on 127.0.0.2.
    @Test("a backend call connects to the address the guard approved, not to a second resolution of the name")
    func backendCallIsPinned() async throws {
        let inside = try await TestBackend.start(host: "127.0.0.1")
        defer { inside.stop() }
        let approved = try await TestBackend.start(host: "127.0.0.2", port: inside.port)
        defer { approved.stop() }
        let lookups = Mutex(0)
        let hook = AddressGuard(resolver: { host in
            lookups.withLock { $0 += 1 }
            return host == "localhost" ? [AddressGuard.IPAddress(bytes: [127, 0, 0, 2])] : []
        })
        let client = BackendClient(addressGuard: hook)
        let origin = "http://localhost:\(inside.port)"
        for id in 1...3 {
            let response = try await client.execute(
                BackendRequest(method: "GET", url: origin + "/pets/\(id)", headers: [], body: nil), origin: origin, allowPrivateNetwork: true)
            #expect(response.status == 200)
        }
        #expect(approved.hitCount == 3, "every call reaches the approved address")
        #expect(inside.hitCount == 0, "no call reaches the address a second resolution gives")
        #expect(approved.receivedHeaders.allSatisfy { $0["host"] == "localhost:\(inside.port)" }, "the name is still the Host")
        #expect(lookups.withLock { $0 } == 1, "the verdict is cached: one lookup for three calls")
        #expect(client.http.pinnedAddress(of: "localhost") == "127.0.0.2")
        try await client.shutdown()
    }

    @Test("a name the guard resolves to a private address is refused before any connection; a public answer is pinned")
    func refusedNames() async throws {
        let backend = try await TestBackend.start()
        defer { backend.stop() }
        let hook = AddressGuard(resolver: { _ in [AddressGuard.IPAddress(bytes: [127, 0, 0, 1])] })
        let client = PinnedHTTPClient(http: .init(redirectConfiguration: .disallow), addressGuard: hook)
        await #expect(throws: GatewayError.self) {
            _ = try await client.approved("http://rebind.invalid:\(backend.port)/pets/1", allowPrivateNetwork: false)
        }
        #expect(backend.hitCount == 0)
        // With private networks allowed the same name is reachable — only through the approved address, since the
        // system cannot resolve `.invalid` at all.
        let response = try await client.execute(
            .init(url: "http://rebind.invalid:\(backend.port)/pets/1"), allowPrivateNetwork: true, timeout: .seconds(10))
        #expect(response.status == .ok)
        #expect(backend.hitCount == 1)
        try await client.shutdown()
    }

    @Test(
        "IPv6 forms that embed a private IPv4 address are refused as the IPv4 address would be",
        arguments: [
            "::ffff:0:127.0.0.1", "::ffff:127.0.0.1", "::127.0.0.1", "64:ff9b::7f00:1", "64:ff9b:1::a00:1", "2002:7f00:1::1",
            "2002:c0a8:101::", "2600::5efe:7f00:1", "2600::200:5efe:a9fe:a9fe", "::ffff:0:10.0.0.1",
        ])
    func embeddedIPv4(literal: String) throws {
        #expect(throws: GatewayError.self) { try AddressGuard().check("http://[\(literal)]/", allowPrivateNetwork: false) }
    }

    @Test("IPv6 forms that embed a public IPv4 address, and public IPv6 addresses, pass")
    func embeddedPublic() throws {
        for literal in ["2002:5db8:d822::1", "64:ff9b::5db8:d822", "2606:4700::6810:84e5", "::ffff:0:93.184.216.34"] {
            #expect(throws: Never.self) { _ = try AddressGuard().check("http://[\(literal)]/", allowPrivateNetwork: false) }
        }
    }

    @Test(
        "cloud metadata addresses stay refused where private networks are allowed, in every form, unless opted in",
        arguments: [
            "169.254.169.254", "[::ffff:169.254.169.254]", "[::ffff:0:169.254.169.254]", "[fd00:ec2::254]", "169.254.170.2", "100.100.100.200",
        ])
    func metadataAddresses(host: String) throws {
        var strict = AddressGuard(resolver: { _ in [] })
        let error = try #require(throws: GatewayError.self) { try strict.check("http://\(host)/latest/meta-data/", allowPrivateNetwork: true) }
        #expect(error.message.contains("--allow-metadata-address"))
        strict.allowMetadataAddress = true
        #expect(throws: Never.self) { _ = try strict.check("http://\(host)/latest/meta-data/", allowPrivateNetwork: true) }
    }

    @Test("a metadata address reached through a name is refused too")
    func metadataByName() throws {
        let hook = AddressGuard(resolver: { _ in [AddressGuard.IPAddress(bytes: [169, 254, 169, 254])] })
        let error = try #require(throws: GatewayError.self) { try hook.check("http://metadata.google.inside/", allowPrivateNetwork: true) }
        #expect(error.code == .forbiddenAddress)
    }
}
