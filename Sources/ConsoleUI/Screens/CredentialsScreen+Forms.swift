import Foundation
import GatewayEngine

/// Adding a credential provider from the console (`n`), through ``CredentialService/addProvider(name:kind:settings:secret:allowPrivateNetwork:)``
/// (the CLI's rules: settings checked for the kind, token endpoints behind the SSRF guard). The secret is typed or
/// pasted into a masked field (``FormField/secret(_:hint:)``): never drawn, never in a description of the state, sealed
/// with the master key before it reaches the store; the outcome names the provider only.
extension CredentialsScreen {
    static let add = ConsoleAction("addCredentialProvider")

    static let formBindings = [
        KeyBinding(
            [.char("n")], "Add a credential provider (the secret is masked)", short: "New", add, .credentials, on: [.credentials], mutating: true)
    ]

    static let kinds = CredentialKind.allCases.map(\.rawValue)

    static func addForm() -> Form {
        Form(
            title: "Add a credential provider", purpose: .screen(kind, "add"), submitTitle: "seal and save",
            fields: [
                .text("Name", hint: "letters, digits, - _ . (its connection gets the same name)"),
                .text("Type", hint: kinds.joined(separator: ", ")),
                .secret("Secret", hint: "key, token, password or client secret (masked; paste works)"),
                .text("Header", hint: "api-key: the header carrying it (default X-API-Key)"),
                .text("Query", hint: "api-key: send it as this query parameter instead"),
                .text("User name", hint: "basic"),
                .text("Token URL", hint: "client-credentials, authorization-code"),
                .text("Authorize URL", hint: "authorization-code"),
                .text("Client id", hint: "OAuth"),
                .text("Scopes", hint: "OAuth, optional: space-separated"),
                .text("Audience", hint: "OAuth, optional"),
                .text("Client auth", hint: "OAuth, optional: basic (default) or post"),
                .checkbox("Private network", false, hint: "allow token endpoints on loopback or a private network"),
            ])
    }

    static func submit(_ form: Form, _ s: ConsoleState) -> Form.Submission {
        guard form.purpose == .screen(kind, "add"), form.fields.count == 13 else { return .unchanged }
        func text(_ label: String) -> String? {
            guard let v = form.fields.first(where: { $0.label == label })?.value, !v.isEmpty else { return nil }
            return v
        }
        let name = form.fields[0].value
        do { try CredentialService.validateName(name) } catch { return .invalid(error.message) }
        if s.data.credentials.providers.contains(where: { $0.name == name }) { return .invalid("a provider named '\(name)' exists") }
        guard let kind = CredentialKind(rawValue: form.fields[1].value) else {
            return .invalid("the type is one of \(kinds.joined(separator: ", "))")
        }
        // The secret as typed: only line breaks are refused (by the service); surrounding spaces may belong to it.
        let typed = form.fields[2].input.text
        if typed.isEmpty && kind != .authorizationCode { return .invalid("a \(kind.rawValue) provider needs its secret") }
        let settings = CredentialProviderSettings(
            headerName: text("Header"), queryName: text("Query"), username: text("User name"), tokenURL: text("Token URL"),
            authorizationURL: text("Authorize URL"), clientID: text("Client id"),
            scopes: text("Scopes").map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }, audience: text("Audience"),
            clientAuthentication: text("Client auth"))
        do { try settings.validate(for: kind) } catch { return .invalid(error.message) }
        let secret = typed.isEmpty ? nil : SecretValue(typed)
        return .effect(.screenTask(adding(name, kind, settings, secret, allowPrivateNetwork: form.fields[12].checked)))
    }

    static func adding(
        _ name: String, _ kind: CredentialKind, _ settings: CredentialProviderSettings, _ secret: SecretValue?, allowPrivateNetwork: Bool
    ) -> ScreenTask {
        ScreenTask("credential.provider.add", subject: name) { executor in
            let vault = try CredentialVault.open(store: executor.store, environment: executor.environment, create: true)
            try CredentialService(vault: vault).addProvider(
                name: name, kind: kind, settings: settings, secret: secret, allowPrivateNetwork: allowPrivateNetwork)
            let next =
                switch kind {
                case .authorizationCode: "c authorizes it"
                case .clientCredentials: "its first token is fetched on first use"
                default: "attach it to an API with gatehouse api set API --credential \(name)"
                }
            return "added \(kind.rawValue) provider '\(name)' (secret sealed with the master key from \(vault.keySource)); \(next)"
        }
    }
}
