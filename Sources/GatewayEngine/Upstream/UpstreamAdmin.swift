import Foundation
import Logging
import Store

/// What connecting to an upstream found: who it is, what it offers, and how its tools compare with the recorded ones.
public struct UpstreamDiscoveryReport: Sendable {
    /// The upstream's name.
    public var upstream: String
    /// `serverInfo.name` / `serverInfo.version` from the upstream's `initialize` answer.
    public var serverName: String?
    /// See ``serverName``.
    public var serverVersion: String?
    /// The protocol revision agreed with the upstream.
    public var protocolVersion: String
    /// The capability names the upstream declared (`tools`, `resources`, `prompts`, `logging`, `completions`).
    public var capabilities: [String]
    /// The recorded tools after this discovery (status `approved`, `pending` or `removed`, with flags).
    public var tools: [UpstreamToolRecord]
    /// What this discovery changed.
    public var changes: [UpstreamToolChange]
}

/// Admin actions on upstreams that need the network: checking a URL against the SSRF guard, and discovering an
/// upstream's tools (connect, list, fingerprint, record). Used by the CLI and the console.
public struct UpstreamAdmin: Sendable {
    let store: GatewayStore
    let logger: Logger

    /// Admin actions over the store; `logger` receives discovery's diagnostics.
    public init(store: GatewayStore, logger: Logger = Logger(label: "gatehouse.upstream")) {
        self.store = store
        self.logger = logger
    }

    /// Checks an HTTP upstream's URL with the SSRF guard: every address it resolves to must be public unless
    /// `allowPrivateNetwork`. Throws a clear error otherwise.
    public func checkAddress(url: String, allowPrivateNetwork: Bool) async throws(UpstreamError) {
        do {
            try await ResolutionCache().check(url, allowPrivateNetwork: allowPrivateNetwork, guard: AddressGuard())
        } catch {
            throw UpstreamError(
                .refused,
                "\(error.message)\(allowPrivateNetwork ? "" : " (use --allow-private-network for an upstream on loopback or a private network)")")
        }
    }

    /// Connects to the upstream, lists its tools, records their fingerprints (new tools approved on first use, changed
    /// ones held back) and reports. The connection is closed afterwards (a stdio child is stopped).
    public func discover(_ name: String) async throws(UpstreamError) -> UpstreamDiscoveryReport {
        do throws(StoreError) { _ = try store.upstream(named: name) } catch { throw UpstreamError(.invalidConfiguration, error.message) }
        return try await UpstreamDiscovery.withStandalone(store: store, logger: logger) { hub async throws(UpstreamError) in
            try await hub.discover(name)
        }
    }
}
