import Foundation

/// The discovery document: where the key set is, and which issuer it speaks for.
extension JWKSCache {
    /// The key set's URL: configured, or the discovery document's `jwks_uri` (cached like the keys).
    func jwksURL(at t: Date) async throws -> String {
        guard let configURL = settings.openIDConfigURL, settings.jwksURI == nil || settings.issuers.isEmpty else {
            return settings.jwksURI ?? ""
        }
        let cached = state.withLock { $0.discovery }
        if let cached, t.timeIntervalSince(cached.fetchedAt) < Self.freshFor { return settings.jwksURI ?? cached.jwksURI }
        do {
            let document = try await fetcher.fetchJSON(configURL, allowPrivateNetwork: settings.allowPrivateNetwork)
            let jwksURI: String
            if let configured = settings.jwksURI {
                jwksURI = configured
            } else if case .string(let named)? = document["jwks_uri"] {
                jwksURI = named
            } else {
                throw GatewayError(.fetchFailed, "the discovery document has no jwks_uri", location: configURL)
            }
            var issuer = document["issuer"]?.stringValue
            if let named = issuer, !Self.issuer(named, matchesDiscoveryURL: configURL) {
                logger.warning("discovery issuer does not match the discovery URL; it is not trusted", metadata: ["url": "\(configURL)"])
                issuer = nil
            }
            state.withLock { $0.discovery = Discovery(jwksURI: jwksURI, issuer: issuer, fetchedAt: t) }
            return jwksURI
        } catch {
            guard let cached, t.timeIntervalSince(cached.fetchedAt) < Self.maxStale else { throw error }
            logger.warning("cannot refresh the discovery document; using the last good one: \(error)", metadata: ["url": "\(configURL)"])
            return settings.jwksURI ?? cached.jwksURI
        }
    }

    /// Whether a discovery document at `url` may speak for `issuer` (OpenID Connect Discovery §4.3, RFC 8414 §3).
    static func issuer(_ issuer: String, matchesDiscoveryURL url: String) -> Bool {
        var base = issuer
        while base.hasSuffix("/") { base.removeLast() }
        if url == base + "/.well-known/openid-configuration" { return true }
        guard let components = URLComponents(string: base), let scheme = components.scheme, let host = components.host else { return false }
        let origin = "\(scheme)://\(host)" + (components.port.map { ":\($0)" } ?? "")
        let path = components.path
        return url == origin + "/.well-known/oauth-authorization-server" + path || url == origin + "/.well-known/openid-configuration" + path
    }
}
