import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// The HTTP client of every outbound path (REST backends, upstream MCP servers, JWKS, OAuth token endpoints, spec
/// fetches): it connects only to an address the SSRF guard approved.
///
/// Checking a name and then letting the HTTP client resolve it again is a race a DNS-rebinding attacker wins (the
/// name answers a public address to the guard and 127.0.0.1 to the connection). Here the guard's resolution is the
/// one connected to: a request to a host name goes through an `HTTPClient` pinned to one approved address of that
/// host (AsyncHTTPClient's `dnsOverride`), which still sends the name as `Host`, as TLS SNI and verifies the
/// certificate against it. Hosts that are IP literals use the unpinned base client.
///
/// A host keeps its pin while the approved address stays among the guard's answers (verdicts are cached for 30 s),
/// so connection pools survive re-resolution; a new address gets a new pinned client and the old one is retired,
/// then shut down once calls still using it are done (``Configuration/retireAfter``). The configuration must not
/// follow redirects: a redirect would reach an address nobody checked.
final class PinnedHTTPClient: Sendable {
    /// Limits of the pin table.
    struct Configuration: Sendable {
        /// The AsyncHTTPClient configuration of every client (base and pinned).
        var http: HTTPClient.Configuration
        /// Pinned hosts kept; past it the least recently used host's pin is retired. Default 256.
        var maxPinnedHosts = 256
        /// How long a retired client lives on for the calls still using it before it is shut down. Default 15 min
        /// (longer than any call's hard maximum).
        var retireAfter: Duration = .seconds(900)

        init(http: HTTPClient.Configuration) { self.http = http }
    }

    private struct Pin {
        var address: String
        var client: HTTPClient
        var lastUsed: ContinuousClock.Instant
    }

    private struct Pins {
        var byHost: [String: Pin] = [:]
        var retired: [(client: HTTPClient, at: ContinuousClock.Instant)] = []
        var shutDown = false
    }

    let configuration: Configuration
    let addressGuard: AddressGuard
    private let base: HTTPClient
    private let resolutions = ResolutionCache()
    private let pins = Mutex(Pins())

    /// A client over `configuration` that checks every URL with `addressGuard`.
    init(configuration: Configuration, addressGuard: AddressGuard = AddressGuard()) {
        var configuration = configuration
        // A refused or failed connection fails the call at once with its own error, instead of being retried with
        // backoff until the call's deadline (AsyncHTTPClient's default): a down upstream or backend is reported in
        // milliseconds, and its circuit breaker counts the failure.
        configuration.http.connectionPool.retryConnectionEstablishment = false
        self.configuration = configuration
        self.addressGuard = addressGuard
        base = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration.http)
    }

    /// A client over `http` with the default pin limits.
    convenience init(http: HTTPClient.Configuration, addressGuard: AddressGuard = AddressGuard()) {
        self.init(configuration: Configuration(http: http), addressGuard: addressGuard)
    }

    /// Checks `url` with the SSRF guard (verdicts cached for 30 s) and returns the client to send it with — pinned to
    /// an approved address — and the guard's resolution; throws the guard's refusal.
    func approved(_ url: String, allowPrivateNetwork: Bool) async throws(GatewayError) -> (client: HTTPClient, resolution: AddressGuard.Resolution) {
        let resolution = try await resolutions.check(url, allowPrivateNetwork: allowPrivateNetwork, guard: addressGuard)
        return (client(for: resolution), resolution)
    }

    /// Checks the request's URL with the guard and sends it to the approved address; refusals throw `GatewayError`,
    /// everything else what AsyncHTTPClient throws.
    func execute(_ request: HTTPClientRequest, allowPrivateNetwork: Bool, deadline: NIODeadline) async throws -> HTTPClientResponse {
        let (client, _) = try await approved(request.url, allowPrivateNetwork: allowPrivateNetwork)
        return try await client.execute(request, deadline: deadline)
    }

    /// ``execute(_:allowPrivateNetwork:deadline:)`` with a timeout.
    func execute(_ request: HTTPClientRequest, allowPrivateNetwork: Bool, timeout: TimeAmount) async throws -> HTTPClientResponse {
        try await execute(request, allowPrivateNetwork: allowPrivateNetwork, deadline: .now() + timeout)
    }

    /// The client connecting to one of `resolution`'s addresses: the base client for an IP literal, else the host's
    /// pinned client while its address is still approved, else a new pin on the first approved address.
    func client(for resolution: AddressGuard.Resolution) -> HTTPClient {
        if AddressGuard.literalAddress(resolution.host) != nil { return base }
        let host = resolution.host.lowercased()
        let now = ContinuousClock.now
        let current: HTTPClient? = pins.withLock { p in
            guard var pin = p.byHost[host], resolution.addresses.contains(pin.address) else { return nil }
            pin.lastUsed = now
            p.byHost[host] = pin
            return pin.client
        }
        if let current { return current }
        guard let address = resolution.addresses.first else { return base }
        var config = configuration.http
        // AsyncHTTPClient looks the URL's host up as written; both spellings map to the approved address.
        config.dnsOverride = [host: address]
        config.dnsOverride[resolution.host] = address
        let fresh = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
        let (chosen, expired): (HTTPClient, [HTTPClient]) = pins.withLock { p in
            if p.shutDown { return (base, [fresh]) }
            if let pin = p.byHost[host], resolution.addresses.contains(pin.address) { return (pin.client, [fresh]) }
            if let old = p.byHost[host] { p.retired.append((old.client, now)) }
            p.byHost[host] = Pin(address: address, client: fresh, lastUsed: now)
            if p.byHost.count > configuration.maxPinnedHosts, let oldest = p.byHost.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                p.retired.append((oldest.value.client, now))
                p.byHost[oldest.key] = nil
            }
            let due = p.retired.filter { now - $0.at >= configuration.retireAfter }.map(\.client)
            p.retired.removeAll { now - $0.at >= configuration.retireAfter }
            return (fresh, due)
        }
        if !expired.isEmpty { Task { for client in expired { try? await client.shutdown() } } }
        return chosen
    }

    /// The address a host is pinned to now (nil: not pinned).
    func pinnedAddress(of host: String) -> String? { pins.withLock { $0.byHost[host.lowercased()]?.address } }

    /// Shuts every client down (base, pinned, retired).
    func shutdown() async throws {
        let clients: [HTTPClient] = pins.withLock { p in
            p.shutDown = true
            let all = p.byHost.values.map(\.client) + p.retired.map(\.client)
            p.byHost = [:]
            p.retired = []
            return all
        }
        for client in clients { try? await client.shutdown() }
        try await base.shutdown()
    }
}

extension PinnedHTTPClient {
    /// A process-wide client for one-off admin paths that have no lifecycle of their own (never shut down).
    static let shared = PinnedHTTPClient(
        http: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(10))))
}
