import Foundation
import Store

extension ConfigApplier {
    /// A provider entry checked and ready to store.
    struct PreparedCredential {
        var entry: ConfigDocument.Credential
        var kind: CredentialKind
        var settings: CredentialProviderSettings
        /// The secret to seal, or nil to keep the stored one.
        var secret: SecretValue?
    }

    /// Checks every `credentials:` entry and resolves secret references (`env`, `file`, `value`) before anything is written.
    func checkCredentials(_ doc: ConfigDocument, file: String, baseDirectory: String, environment: [String: String]) throws -> [PreparedCredential] {
        var out: [PreparedCredential] = []
        var names = Set<String>()
        for (i, c) in (doc.credentials ?? []).enumerated() {
            let location = "\(file): credentials[\(i)]"
            func fail(_ message: String) -> GatewayError { GatewayError(.invalidConfig, message, location: location) }
            do { try CredentialService.validateName(c.name) } catch { throw fail(error.message) }
            guard names.insert(c.name).inserted else { throw fail("credential '\(c.name)' is listed twice") }
            guard let kind = CredentialKind(rawValue: c.type) else {
                throw fail("type: expected one of \(CredentialKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let settings = CredentialProviderSettings(
                headerName: c.header, queryName: c.query, username: c.username, tokenURL: c.tokenUrl, authorizationURL: c.authorizationUrl,
                clientID: c.clientId, scopes: c.scopes, audience: c.audience, clientAuthentication: c.clientAuth)
            do { try settings.validate(for: kind) } catch { throw fail(error.message) }
            var secret: SecretValue?
            if let ref = c.secret {
                let set = [ref.env != nil, ref.file != nil, ref.value != nil].filter { $0 }.count
                guard set <= 1 else { throw fail("secret: give one of env, file or value") }
                if let name = ref.env {
                    guard let v = environment[name], !v.isEmpty else { throw fail("secret: environment variable \(name) is not set") }
                    secret = SecretValue(v)
                } else if let path = ref.file {
                    let full = path.hasPrefix("/") ? path : baseDirectory + "/" + path
                    guard let data = FileManager.default.contents(atPath: full) else { throw fail("secret: cannot read \(path)") }
                    var text = String(decoding: data, as: UTF8.self)
                    while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                    secret = SecretValue(text)
                } else if let v = ref.value {
                    secret = SecretValue(v)
                }
            }
            let exists = (try? store.credentialProvider(named: c.name)) != nil
            if secret == nil, !exists, kind != .authorizationCode {
                throw fail("secret: a new \(kind.rawValue) provider needs its secret (secret: {env: VAR} or {file: PATH})")
            }
            out.append(PreparedCredential(entry: c, kind: kind, settings: settings, secret: secret))
        }
        return out
    }

    /// Writes checked providers: new ones are added (with their connection), existing ones get their settings and,
    /// when one is given, their secret replaced.
    func applyCredentials(_ prepared: [PreparedCredential], vault: CredentialVault, summary: inout Summary) throws {
        let service = CredentialService(vault: vault)
        for p in prepared {
            if let existing = try? store.credentialProvider(named: p.entry.name) {
                guard existing.kind == p.kind.rawValue else {
                    throw GatewayError(.invalidConfig, "credential '\(p.entry.name)' is a \(existing.kind) provider; delete it to change its type")
                }
                try store.updateCredentialProvider(
                    named: p.entry.name, settings: p.settings.encoded, allowPrivateNetwork: p.entry.allowPrivateNetwork ?? false)
                if let secret = p.secret { try service.setSecret(provider: p.entry.name, secret: secret) }
            } else {
                try service.addProvider(
                    name: p.entry.name, kind: p.kind, settings: p.settings, secret: p.secret,
                    allowPrivateNetwork: p.entry.allowPrivateNetwork ?? false)
            }
            summary.credentials.append(p.entry.name)
        }
    }

    /// The stored providers, secrets as references (or, with `includeSecrets`, opened values).
    func exportCredentials(into doc: inout ConfigDocument, includeSecrets: Bool, vault: CredentialVault?) throws {
        var out: [ConfigDocument.Credential] = []
        for p in try store.credentialProviders() {
            let s = CredentialProviderSettings.decode(p.settings)
            var secret: ConfigDocument.SecretReference?
            if p.secret != nil {
                if includeSecrets {
                    guard let vault else { throw CredentialError(.locked, "--include-secrets needs the master key") }
                    secret = .init(value: try vault.openProviderSecret(p)?.unmasked)
                } else {
                    secret = .init(stored: true)
                }
            }
            out.append(
                .init(
                    name: p.name, type: p.kind, header: s.headerName, query: s.queryName, username: s.username, tokenUrl: s.tokenURL,
                    authorizationUrl: s.authorizationURL, clientId: s.clientID, scopes: s.scopes, audience: s.audience,
                    clientAuth: s.clientAuthentication,
                    allowPrivateNetwork: p.allowPrivateNetwork ? true : nil, secret: secret))
        }
        doc.credentials = out.isEmpty ? nil : out
    }
}
