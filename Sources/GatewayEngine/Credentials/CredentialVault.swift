import Foundation
import Store

/// The store together with the master key: everything needed to seal and open credential secrets.
public struct CredentialVault: Sendable {
    /// The store the sealed secrets live in.
    public let store: GatewayStore
    let box: SecretBox
    /// Where the master key came from (the environment variable or the key file path), for messages.
    public let keySource: String

    /// The key file used when `GATEHOUSE_MASTER_KEY` is not set: `master.key` beside the database.
    public static func keyFilePath(for store: GatewayStore) -> String {
        URL(fileURLWithPath: store.configuration.path).deletingLastPathComponent().appendingPathComponent("master.key").path
    }

    /// Loads the master key; with `create`, a key file is made (mode 0600) when there is none.
    public static func open(store: GatewayStore, environment: [String: String], create: Bool) throws(CredentialError) -> CredentialVault {
        let loader = MasterKeyLoader(environment: environment, keyFilePath: keyFilePath(for: store))
        // A new key file only for a store with nothing sealed yet: a deleted key file must not silently orphan secrets.
        var mayCreate = create
        if create, !loader.usesEnvironment, !FileManager.default.fileExists(atPath: loader.keyFilePath),
            let sealed = try? store.sealedFields(), !sealed.isEmpty
        {
            mayCreate = false
        }
        let ring = try loader.load(create: mayCreate)
        return CredentialVault(store: store, box: SecretBox(ring: ring), keySource: loader.source)
    }

    func sealProviderSecret(_ secret: SecretValue, provider: String) throws(CredentialError) -> String {
        try box.seal(secret, table: "credentialProvider", row: provider, column: "secret")
    }

    func openProviderSecret(_ provider: CredentialProviderRecord) throws(CredentialError) -> SecretValue? {
        guard let sealed = provider.secret else { return nil }
        return try box.open(sealed, table: "credentialProvider", row: provider.name, column: "secret")
    }

    func sealToken(_ token: SecretValue, connection: String, column: String) throws(CredentialError) -> String {
        try box.seal(token, table: "credentialConnection", row: connection, column: column)
    }

    func openToken(_ sealed: String?, connection: String, column: String) throws(CredentialError) -> SecretValue? {
        guard let sealed else { return nil }
        return try box.open(sealed, table: "credentialConnection", row: connection, column: column)
    }
}
