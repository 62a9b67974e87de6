import GatewayEngine

/// The rows of the Credentials screen and what its keys do.
extension ConsoleState {
    // MARK: Rows

    /// Every connection (by name) with its provider, then the providers that have no connection left.
    var credentialListRows: [CredentialListRow] {
        let credentials = data.credentials
        let providers = Dictionary(credentials.providers.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var rows = credentials.connections.map { c in
            CredentialListRow(connection: c, provider: providers[c.provider], apis: data.apis.filter { $0.credential == c.name })
        }
        let used = Set(credentials.connections.map(\.provider))
        rows += credentials.providers.filter { !used.contains($0.name) }.map { CredentialListRow(connection: nil, provider: $0, apis: []) }
        return rows
    }

    /// The Credentials rows after the page's `/` filter.
    func credentialRows(_ p: Page) -> [CredentialListRow] { CredentialsScreen.rows(self, p) }

    /// The row a Credentials page shows, if it still exists.
    func credentialRow(_ ref: CredentialRef) -> CredentialListRow? {
        credentialListRows.first { $0.ref == ref }
    }

    /// The credential under the cursor (list) or being viewed (detail).
    var targetCredential: CredentialListRow? {
        CredentialsScreen.selectedRow(self) ?? page.route.value(of: .credentialDetail, as: CredentialRef.self).flatMap(credentialRow)
    }

    /// The latest authorization URL (shown on its connection's page until used or expired).
    public var authorization: AuthorizationLink? { memory[CredentialsScreen.authorization] }

    /// The authorization URL to show for a connection: the latest one, until the connection is authorised with it.
    func authorizationLink(for connection: String) -> AuthorizationLink? {
        guard let link = authorization, link.connection == connection,
            let row = data.credentials.connections.first(where: { $0.name == connection })
        else { return nil }
        return row.status == "connected" && row.updatedAt > link.issuedAt ? nil : link
    }

    // MARK: Actions

    mutating func performCredentialAction(_ action: ConsoleAction) -> [ConsoleEffect]? {
        switch action {
        case .authorizeConnection: return authorize()
        case .deleteCredential: deleteCredential()
        default: return nil
        }
        return []
    }

    private mutating func authorize() -> [ConsoleEffect] {
        guard let row = targetCredential else { return nothingSelected("connection") }
        guard let connection = row.connection else {
            show(
                .error, "provider \(safe(row.name)) has no connection: create one with gatehouse credential create NAME --provider \(safe(row.name))")
            return []
        }
        guard row.kind == CredentialKind.authorizationCode.rawValue else {
            show(
                .error, "\(safe(connection.name)) is a \(safe(row.kind)) credential: only authorization-code connections are authorised in a browser")
            return []
        }
        if case .locked(let reason) = data.credentials.vault {
            show(.error, "credentials locked: \(reason)")
            return []
        }
        guard !data.listenAddress.isEmpty else {
            show(.error, "the gateway is not listening yet: its /oauth/callback address is unknown")
            return []
        }
        show(.info, "starting the authorization of \(safe(connection.name))…")
        return [.authorizeConnection(name: connection.name, redirectURI: data.listenAddress + "/oauth/callback")]
    }

    private mutating func deleteCredential() {
        guard let row = targetCredential else {
            _ = nothingSelected("credential")
            return
        }
        let onDetail = page.route == .credential(row.ref)
        if let connection = row.connection {
            if let api = row.apis.first {
                // The store refuses it too; say so before asking.
                show(
                    .error,
                    "API '\(safe(api.name))' uses connection '\(safe(connection.name))'; detach it first (gatehouse api set \(safe(api.name)) --credential none)"
                )
                return
            }
            let consequence =
                row.provider?.isStatic == true
                ? "It is the only connection of a static provider: the provider stays, unused, until it is deleted too."
                : "Its tokens are discarded; gatehouse credential create makes a new connection to authorise."
            confirm(
                "Delete connection",
                ["Delete the connection \(safe(connection.name)) of provider \(safe(connection.provider)) (\(safe(row.kind)))?", consequence],
                .deleteCredentialConnection(name: connection.name), detail: onDetail)
        } else if let provider = row.provider {
            confirm(
                "Delete provider",
                [
                    "Delete the provider \(safe(provider.name)) (\(safe(provider.kind))) and its sealed secret?",
                    "Adding it again needs the CLI and the secret.",
                ],
                .deleteCredentialProvider(name: provider.name), detail: onDetail)
        }
    }

    /// Keeps a new authorization URL and, on the Credentials screen, shows the connection's page with it at the top.
    mutating func showAuthorization(_ link: AuthorizationLink) {
        memory[CredentialsScreen.authorization] = link
        guard tab == .credentials else { return }
        let route = Route.credential(.connection(link.connection))
        if page.route != route { push(route) }
        page.selected = 0
        clamp()
    }
}
