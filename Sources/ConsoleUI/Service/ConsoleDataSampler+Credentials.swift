import Foundation
import GatewayEngine
import Store

/// Credential providers and connections as console rows. Sealed secrets and tokens are dropped here: a row keeps only
/// whether they exist and, for a provider's secret, the engine's mask (`••••abcd` at most).
extension ConsoleDataSampler {
    /// The credentials as stored now (the sampler caches them per ``ConsoleFeed/credentials``). The master key is
    /// loaded at each read, so a key restored meanwhile unlocks them.
    func readCredentials() throws -> ConsoleData.Credentials {
        let vault = Result { () throws(CredentialError) in try CredentialVault.open(store: store, environment: environment, create: false) }
        return Self.credentials(providers: try store.credentialProviders(), connections: try store.credentialConnections(), vault: vault)
    }

    /// Rows from store records and the vault (or why it could not be opened): secrets are masked by the engine's
    /// ``CredentialService/maskedSecret(_:)``.
    public static func credentials(
        providers: [CredentialProviderRecord], connections: [CredentialConnectionRecord], vault: Result<CredentialVault, CredentialError>
    ) -> ConsoleData.Credentials {
        switch vault {
        case .success(let v):
            let service = CredentialService(vault: v)
            return credentials(providers: providers, connections: connections, vault: .unlocked(keySource: v.keySource), mask: service.maskedSecret)
        case .failure(let error):
            return credentials(providers: providers, connections: connections, vault: .locked(reason: lockReason(error)), mask: { _ in nil })
        }
    }

    /// Rows from store records, with `mask` giving each stored secret's mask (nil when it cannot be opened).
    public static func credentials(
        providers: [CredentialProviderRecord], connections: [CredentialConnectionRecord], vault: ConsoleData.VaultState,
        mask: (CredentialProviderRecord) -> String?
    ) -> ConsoleData.Credentials {
        let names = Dictionary(providers.compactMap { p in p.id.map { ($0, p.name) } }, uniquingKeysWith: { a, _ in a })
        let providerRows = providers.map { p in
            ConsoleData.CredentialProviderRow(
                name: p.name, kind: p.kind, settings: CredentialProviderSettings.decode(p.settings), hasSecret: p.secret != nil,
                maskedSecret: p.secret == nil ? nil : mask(p), allowPrivateNetwork: p.allowPrivateNetwork, updatedAt: p.updatedAt)
        }
        let connectionRows = connections.map { c in
            ConsoleData.CredentialConnectionRow(
                name: c.name, provider: names[c.providerId] ?? "?", status: c.status, statusReason: c.statusReason, expiresAt: c.expiresAt,
                hasAccessToken: c.accessToken != nil, hasRefreshToken: c.refreshToken != nil, updatedAt: c.updatedAt)
        }
        return ConsoleData.Credentials(vault: vault, providers: providerRows, connections: connectionRows)
    }

    /// The engine's reason without its `credentials are locked: ` lead (the console says that itself).
    static func lockReason(_ error: CredentialError) -> String {
        let lead = "credentials are locked: "
        return error.message.hasPrefix(lead) ? String(error.message.dropFirst(lead.count)) : error.message
    }
}
