import Foundation
import GatewayEngine
import Store

/// Credential actions: authorising an authorization-code connection and deleting connections and providers (adding
/// one is a screen task: `CredentialsScreen+Forms.swift`).
extension ConsoleEffectExecutor {
    func performCredential(_ effect: ConsoleEffect) throws -> String {
        switch effect {
        case .authorizeConnection(let name, let redirectURI):
            return try authorize(name, redirectURI: redirectURI).message
        case .deleteCredentialConnection(let name):
            try store.deleteCredentialConnection(named: name)
            return "deleted connection '\(name)'"
        case .deleteCredentialProvider(let name):
            try store.deleteCredentialProvider(named: name)
            return "deleted provider '\(name)' and its sealed secret"
        default:
            return ""
        }
    }

    /// Starts the authorization-code flow: the URL goes in the outcome's ``EffectOutcome/authorization``, not in the
    /// message (which is also written to the log pane).
    func authorize(_ name: String, redirectURI: String) throws -> EffectOutcome {
        let vault = try CredentialVault.open(store: store, environment: environment, create: false)
        let issuedAt = Date()
        let url = try CredentialService(vault: vault).startAuthorization(connection: name, redirectURI: redirectURI)
        let link = AuthorizationLink(
            connection: name, url: url, redirectURI: redirectURI, issuedAt: issuedAt,
            expiresAt: issuedAt.addingTimeInterval(CredentialService.stateLifetime))
        let minutes = Int(CredentialService.stateLifetime / 60)
        return EffectOutcome(
            succeeded: true, message: "authorization URL for '\(name)' ready: open it within \(minutes) minutes (it works once)", authorization: link)
    }
}
