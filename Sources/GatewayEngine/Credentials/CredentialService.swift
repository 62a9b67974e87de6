import Crypto
import Foundation
import Store

/// Administers credential providers and connections: validates settings, seals secrets before they reach the store,
/// and runs the authorization-code flow (start: an authorization URL with `state` and PKCE; finish: the callback).
public struct CredentialService: Sendable {
    /// The store and the master key the service seals with.
    public let vault: CredentialVault
    let oauth: OAuthClient?

    /// How long an authorization URL stays usable.
    public static let stateLifetime: TimeInterval = 600

    /// A service over the vault, with the engine's default OAuth client (for authorization-code connections).
    public init(vault: CredentialVault) { self.init(vault: vault, oauth: nil) }

    init(vault: CredentialVault, oauth: OAuthClient?) {
        self.vault = vault
        self.oauth = oauth
    }

    /// Checks a provider or connection name: 1–64 letters, digits, `-`, `_`, `.`.
    public static func validateName(_ name: String) throws(CredentialError) {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))
        guard !name.isEmpty, name.count <= 64, name.unicodeScalars.allSatisfy({ allowed.contains($0) && $0.isASCII }), name != "none" else {
            throw CredentialError(.invalid, "credential name '\(name.prefix(64))' must be 1–64 letters, digits, '-', '_' or '.' (and not 'none')")
        }
    }

    /// Adds a provider. Static kinds and OAuth kinds alike get a connection named like the provider.
    @discardableResult
    public func addProvider(
        name: String, kind: CredentialKind, settings: CredentialProviderSettings, secret: SecretValue?, allowPrivateNetwork: Bool
    ) throws -> CredentialProviderRecord {
        try Self.validateName(name)
        try settings.validate(for: kind)
        for url in [settings.tokenURL, settings.authorizationURL].compactMap({ $0 }) {
            guard AddressGuard.isHTTPURL(url), URL(string: url)?.host != nil else {
                throw CredentialError(.invalid, "'\(url.prefix(80))' is not an http(s) URL")
            }
            if !allowPrivateNetwork { _ = try AddressGuard().check(url, allowPrivateNetwork: false) }
        }
        if kind != .authorizationCode || secret != nil {
            guard let secret, !secret.isEmpty else {
                throw CredentialError(.invalid, "a \(kind.rawValue) provider needs its secret (pass it on standard input with --secret-stdin)")
            }
            if secret.unmasked.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
                throw CredentialError(.invalid, "the secret contains a line break")
            }
        }
        let sealed = try secret.map { s throws(CredentialError) in try vault.sealProviderSecret(s, provider: name) }
        let status = kind.isStatic ? "connected" : "pending"
        return try vault.store.createCredentialProvider(
            CredentialProviderRecord.New(
                name: name, kind: kind.rawValue, settings: settings.encoded, secret: sealed, allowPrivateNetwork: allowPrivateNetwork),
            connection: CredentialConnectionRecord.New(name: name, providerId: 0, status: status))
    }

    /// Replaces a provider's secret.
    func setSecret(provider: String, secret: SecretValue) throws {
        _ = try vault.store.credentialProvider(named: provider)
        try vault.store.updateCredentialProvider(named: provider, secret: .some(try vault.sealProviderSecret(secret, provider: provider)))
    }

    /// The provider's secret, masked, for display.
    public func maskedSecret(_ provider: CredentialProviderRecord) -> String {
        guard provider.secret != nil else { return "-" }
        return (try? vault.openProviderSecret(provider))??.masked ?? "(sealed; cannot open with this key)"
    }

    /// Starts the authorization-code flow for a connection: returns the URL the admin opens in a browser.
    public func startAuthorization(connection name: String, redirectURI: String) throws -> String {
        let connection = try vault.store.credentialConnection(named: name)
        let provider = try provider(of: connection)
        guard CredentialKind(rawValue: provider.kind) == .authorizationCode else {
            throw CredentialError(
                .invalid, "connection '\(name)' uses a \(provider.kind) provider; only authorization-code connections are authorised in a browser")
        }
        guard redirectURI.hasPrefix("http://") || redirectURI.hasPrefix("https://"), URL(string: redirectURI)?.host != nil else {
            throw CredentialError(.invalid, "--redirect-uri must be an http(s) URL ending in /oauth/callback")
        }
        let state = PKCE.state()
        let verifier = PKCE.verifier()
        let hash = Self.hash(state)
        try vault.store.saveOAuthState(
            OAuthStateRecord(
                stateHash: hash, connectionId: connection.id,
                verifier: try vault.box.seal(SecretValue(verifier), table: "oauthState", row: hash, column: "verifier"), redirectUri: redirectURI,
                expiresAt: Date().addingTimeInterval(Self.stateLifetime)))
        if connection.status != "connected" {
            try vault.store.updateCredentialConnection(named: name, status: "pending", statusReason: .some("waiting for authorization in a browser"))
        }
        return try OAuthClient.authorizationURL(
            try endpoints(provider), redirectURI: redirectURI, state: state, codeChallenge: PKCE.challenge(for: verifier))
    }

    /// Completes the flow from the callback's `state` and `code`: the state is single-use and expires.
    /// - Returns: the connection's name.
    func completeAuthorization(state: String, code: String) async throws -> String {
        guard let pending = try vault.store.takeOAuthState(hash: Self.hash(state)) else {
            throw CredentialError(.invalid, "unknown or already used state; start again with gatehouse credential connect")
        }
        guard pending.expiresAt > Date() else {
            throw CredentialError(.invalid, "the authorization request expired; start again with gatehouse credential connect")
        }
        guard let connection = try vault.store.credentialConnections().first(where: { $0.id == pending.connectionId }) else {
            throw CredentialError(.invalid, "the connection was deleted")
        }
        let provider = try provider(of: connection)
        let verifier = try vault.box.open(pending.verifier, table: "oauthState", row: pending.stateHash, column: "verifier")
        guard let oauth else { throw CredentialError(.invalid, "no HTTP client to reach the token endpoint") }
        do {
            let tokens = try await oauth.exchangeCode(
                try endpoints(provider), clientSecret: try vault.openProviderSecret(provider) ?? SecretValue(""), code: code,
                verifier: verifier.unmasked, redirectURI: pending.redirectUri)
            try store(tokens, connection: connection.name)
            return connection.name
        } catch let error as CredentialError {
            _ = try? vault.store.updateCredentialConnection(named: connection.name, status: "error", statusReason: .some(error.message))
            throw error
        }
    }

    /// Seals and stores fresh tokens, marking the connection connected.
    func store(_ tokens: OAuthTokens, connection: String) throws {
        let access = try vault.sealToken(tokens.accessToken, connection: connection, column: "accessToken")
        let refresh = try tokens.refreshToken.map { t throws(CredentialError) in
            try vault.sealToken(t, connection: connection, column: "refreshToken")
        }
        try vault.store.updateCredentialConnection(
            named: connection, status: "connected", statusReason: .some(nil), accessToken: .some(access),
            refreshToken: refresh.map { .some($0) } ?? nil, expiresAt: .some(tokens.expiresAt))
    }

    func provider(of connection: CredentialConnectionRecord) throws -> CredentialProviderRecord {
        guard let p = try vault.store.credentialProviders().first(where: { $0.id == connection.providerId }) else {
            throw CredentialError(.invalid, "connection '\(connection.name)' has no provider")
        }
        return p
    }

    /// The OAuth endpoints of a provider.
    func endpoints(_ p: CredentialProviderRecord) throws(CredentialError) -> OAuthEndpoints {
        try Self.endpoints(p)
    }

    static func endpoints(_ p: CredentialProviderRecord) throws(CredentialError) -> OAuthEndpoints {
        let s = CredentialProviderSettings.decode(p.settings)
        guard let token = s.tokenURL, let client = s.clientID else {
            throw CredentialError(.invalid, "provider '\(p.name)' has no token URL or client id")
        }
        return try OAuthEndpoints(
            tokenURL: token, authorizationURL: s.authorizationURL, clientID: client, scopes: s.scopes ?? [], audience: s.audience,
            allowPrivateNetwork: p.allowPrivateNetwork, clientAuthentication: s.clientAuthentication == "post" ? .post : .basic)
    }

    static func hash(_ text: String) -> String {
        Hex.sha256(text)
    }
}
