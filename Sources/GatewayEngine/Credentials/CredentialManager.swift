import AsyncHTTPClient
import Foundation
import Logging
import Store

/// What a connection adds to an outbound request.
public struct CredentialInjection: Sendable {
    /// Headers to set (replacing any of the same name).
    public var headers: [(name: String, value: String)] = []
    /// Query parameters to add.
    public var query: [(name: String, value: String)] = []
}

/// Gives outbound calls their credentials: opens static secrets, fetches and refreshes OAuth tokens (cached until
/// shortly before expiry, one refresh per connection at a time), records each connection's status, and refuses
/// clearly when the master key is missing or a connection is not authorised.
public final class CredentialManager: Sendable {
    let store: GatewayStore
    let environment: [String: String]
    private let loaded: LockedBox<Result<CredentialVault, CredentialError>>
    let oauth: OAuthClient
    let cache: TokenCache
    /// Connection and provider rows by connection name, and ready injections of static providers: the hot path
    /// reads neither SQLite nor AES-GCM per call. Cleared by ``configurationChanged()`` on every reload (provider and
    /// connection edits bump the configuration revision).
    private let records = LockedBox<[String: (CredentialConnectionRecord, CredentialProviderRecord)]>([:])
    private let staticInjections = LockedBox<[String: CredentialInjection]>([:])
    let logger: Logger

    init(store: GatewayStore, http: PinnedHTTPClient, environment: [String: String], logger: Logger) {
        self.store = store
        self.logger = logger
        self.environment = environment
        oauth = OAuthClient(http: http)
        cache = TokenCache()
        loaded = LockedBox(Result { () throws(CredentialError) in try CredentialVault.open(store: store, environment: environment, create: false) })
    }

    /// The vault; a locked one is retried (the key file may have been created since by the CLI).
    var vault: Result<CredentialVault, CredentialError> {
        if case .success = loaded.withLock({ $0 }) { return loaded.withLock { $0 } }
        let retry = Result { () throws(CredentialError) in try CredentialVault.open(store: store, environment: environment, create: false) }
        loaded.withLock { $0 = retry }
        return retry
    }

    /// Whether credentials can be opened (the master key loaded).
    var isUnlocked: Bool { (try? vault.get()) != nil }

    /// Why credentials are locked, when they are.
    public var lockReason: String? {
        if case .failure(let e) = vault { return e.message }
        return nil
    }

    /// The service for admin actions that need the running engine's HTTP client (the OAuth callback).
    public func service() throws(CredentialError) -> CredentialService {
        CredentialService(vault: try vault.get(), oauth: oauth)
    }

    /// The headers and query parameters for a call made with `connection`. A value sealed under a key this process
    /// has not loaded (a rotation by another process) makes it reload the key once and retry.
    public func injection(for connectionName: String) async throws(CredentialError) -> CredentialInjection {
        do {
            return try await injection(for: connectionName, vault: try vault.get())
        } catch  where error.code == .locked || error.code == .unsealFailed {
            let reloaded = Result { () throws(CredentialError) in try CredentialVault.open(store: store, environment: environment, create: false) }
            loaded.withLock { $0 = reloaded }
            configurationChanged()
            return try await injection(for: connectionName, vault: try reloaded.get())
        }
    }

    /// Forgets cached rows and static injections (the configuration changed).
    func configurationChanged() {
        records.withLock { $0.removeAll() }
        staticInjections.withLock { $0.removeAll() }
    }

    func rows(_ connectionName: String) throws(CredentialError) -> (CredentialConnectionRecord, CredentialProviderRecord) {
        if let cached = records.withLock({ $0[connectionName] }) { return cached }
        do {
            let connection = try store.credentialConnection(named: connectionName)
            guard let provider = try store.credentialProviders().first(where: { $0.id == connection.providerId }) else {
                throw CredentialError(.invalid, "connection '\(connectionName)' has no provider")
            }
            records.withLock { $0[connectionName] = (connection, provider) }
            return (connection, provider)
        } catch let e as CredentialError {
            throw e
        } catch {
            throw CredentialError(.invalid, "credential connection '\(connectionName)': \(error)")
        }
    }

    func injection(for connectionName: String, vault: CredentialVault) async throws(CredentialError) -> CredentialInjection {
        if let ready = staticInjections.withLock({ $0[connectionName] }) { return ready }
        let (connection, provider) = try rows(connectionName)
        guard let kind = CredentialKind(rawValue: provider.kind) else { throw CredentialError(.invalid, "unknown provider kind \(provider.kind)") }
        let settings = CredentialProviderSettings.decode(provider.settings)
        var out = CredentialInjection()
        switch kind {
        case .apiKey:
            let key = try vault.openProviderSecret(provider) ?? SecretValue("")
            if let q = settings.queryName {
                out.query.append((q, key.unmasked))
            } else {
                out.headers.append((settings.headerName ?? "X-API-Key", key.unmasked))
            }
        case .bearer:
            out.headers.append(("Authorization", "Bearer " + (try vault.openProviderSecret(provider) ?? SecretValue("")).unmasked))
        case .basic:
            let password = try vault.openProviderSecret(provider) ?? SecretValue("")
            let pair = Data("\(settings.username ?? ""):\(password.unmasked)".utf8).base64EncodedString()
            out.headers.append(("Authorization", "Basic " + pair))
        case .clientCredentials, .authorizationCode:
            let token = try await accessToken(connection: connection, provider: provider, kind: kind, vault: vault)
            out.headers.append(("Authorization", "Bearer " + token.unmasked))
        }
        if kind.isStatic { staticInjections.withLock { $0[connectionName] = out } }
        return out
    }

    func accessToken(
        connection: CredentialConnectionRecord, provider: CredentialProviderRecord, kind: CredentialKind, vault: CredentialVault
    ) async throws(CredentialError) -> SecretValue {
        let service = CredentialService(vault: vault, oauth: oauth)
        let oauth = self.oauth
        let name = connection.name
        do {
            let tokens = try await cache.token(for: "\(name)|\(connection.id)") {
                // A still-valid stored token (from before a restart) is used as is.
                let current = try self.store.credentialConnection(named: name)
                if let sealed = current.accessToken, let expiry = current.expiresAt, expiry.timeIntervalSinceNow > 60,
                    let token = try vault.openToken(sealed, connection: name, column: "accessToken")
                {
                    return OAuthTokens(accessToken: token, refreshToken: nil, expiresAt: expiry, tokenType: "Bearer", scope: nil)
                }
                let endpoints = try CredentialService.endpoints(provider)
                let secret = try vault.openProviderSecret(provider) ?? SecretValue("")
                let tokens: OAuthTokens
                if kind == .clientCredentials {
                    tokens = try await oauth.clientCredentials(endpoints, clientSecret: secret)
                } else {
                    guard let refresh = try vault.openToken(current.refreshToken, connection: name, column: "refreshToken") else {
                        throw CredentialError(.notConnected, "connection '\(name)' is not authorised yet; run gatehouse credential connect \(name)")
                    }
                    tokens = try await oauth.refresh(endpoints, clientSecret: secret, refreshToken: refresh)
                }
                try service.store(tokens, connection: name)
                return tokens
            }
            return tokens.accessToken
        } catch var error as CredentialError {
            error.message = error.message.replacingOccurrences(of: "credential connect NAME", with: "credential connect \(name)")
            let status = error.code == .notConnected ? "expired" : "error"
            _ = try? store.updateCredentialConnection(named: name, status: status, statusReason: .some(error.message))
            logger.warning("credential connection failed", metadata: ["connection": "\(name)", "error": "\(error.message)"])
            throw error
        } catch {
            let e = CredentialError(.providerError, "connection '\(name)': \(error)")
            _ = try? store.updateCredentialConnection(named: name, status: "error", statusReason: .some(e.message))
            throw e
        }
    }
}

extension CredentialManager {
    /// Runs `body` with a manager that has its own HTTP client, shut down afterwards — for one-off use outside a
    /// running gateway (`gatehouse credential test`).
    public static func withStandalone<T: Sendable>(
        store: GatewayStore, logger: Logger = Logger(label: "gatehouse.credentials"), _ body: (CredentialManager) async throws -> T
    ) async throws -> T {
        let http = PinnedHTTPClient(http: .init(redirectConfiguration: .disallow))
        let manager = CredentialManager(store: store, http: http, environment: ProcessInfo.processInfo.environment, logger: logger)
        do {
            let result = try await body(manager)
            try? await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}
