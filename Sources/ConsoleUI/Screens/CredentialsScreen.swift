import GatewayEngine

/// Screen 8: outbound credentials (``CredentialsView``): one row per connection, then the providers left without one,
/// and a credential's page (``CredentialDetailView``). The console adds providers (`n`, the secret in a masked field:
/// `CredentialsScreen+Forms.swift`), shows them, authorises (`c`, an authorization URL for authorization-code
/// connections) and deletes.
enum CredentialsScreen: ListScreen {
    static let kind = ScreenKind.credentials
    static let title = "Credentials"
    static let tabTitle = "Creds"
    static let aliases = ["creds", "cred", "credential"]
    static let summary = "outbound credentials"
    static let pages: [any ConsoleScreen.Type] = [CredentialDetailScreen.self]
    static let headerLines = CredentialsView.headerLines
    static let feeds = [ConsoleFeed.credentials]
    static let bindings =
        formBindings + [
            KeyBinding.open(on: [.credentials]),
            KeyBinding(
                [.char("c")], "Show the URL that authorizes it", short: "Authorize", .authorizeConnection, .credentials,
                on: [.credentials, .credentialDetail], mutating: true),
            KeyBinding(
                [.char("d"), .char("D")], "Delete the credential (asks first)", short: "Delete", .deleteCredential, .credentials,
                on: [.credentials, .credentialDetail], dangerous: true),
        ]

    /// The latest authorization URL (shown on its connection's page until used or expired).
    static let authorization = ScreenMemory.Key<AuthorizationLink>("credentials.authorization")

    static func allRows(_ s: ConsoleState, _ page: Page) -> [CredentialListRow] { s.credentialListRows }
    static func searchTexts(_ row: CredentialListRow) -> [String] {
        [row.name, row.providerName, row.kind, row.connection?.status ?? "no connection", row.connection?.statusReason ?? ""] + row.apis.map(\.name)
    }
    static func key(_ row: CredentialListRow) -> String { row.id }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let row = selectedRow(s) { s.push(.credential(row.ref)) }
        return []
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        if action == add {
            // A locked vault is no reason to refuse: the first provider makes the key file, and the vault itself
            // refuses a new key while sealed secrets exist (the form then says so).
            s.mode = .form(addForm())
            return []
        }
        return s.performCredentialAction(action)
    }

    /// An authorization URL came back: keep it, and show it on its connection's page.
    static func effectFinished(_ outcome: EffectOutcome, _ s: inout ConsoleState) {
        if let link = outcome.authorization { s.showAuthorization(link) }
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { CredentialsView.draw(&buf, ctx, y: y, height: height) }
}

/// A credential's page: the connection's status, the latest authorization URL, the provider's non-secret settings and
/// its secret's mask, the APIs that use it.
enum CredentialDetailScreen: ConsoleScreen {
    static let kind = ScreenKind.credentialDetail
    static let title = "Credential"
    static let isTextPage = true

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        page.route.value(as: CredentialRef.self).map { CredentialDetailView.lines(s, $0) } ?? []
    }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.value(as: CredentialRef.self)?.name ?? "") }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performCredentialAction(action) }
}

extension ScreenKind {
    public static let credentials = ScreenKind("credentials"), credentialDetail = ScreenKind("credentialDetail")
}

extension Route {
    /// A credential connection's page, or a provider's without one.
    static func credential(_ ref: CredentialRef) -> Route { Route(.credentialDetail, ref) }
}

extension ConsoleAction {
    /// Show the URL that authorises an authorization-code connection in a browser.
    public static let authorizeConnection = ConsoleAction("authorizeConnection")
    /// Delete the connection (or the provider of a row without one).
    public static let deleteCredential = ConsoleAction("deleteCredential")
}

extension KeyBinding.Group {
    public static let credentials = KeyBinding.Group("Credentials")
}
