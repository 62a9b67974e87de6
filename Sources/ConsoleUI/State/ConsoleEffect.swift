/// What to edit in `$EDITOR`: an API, server or tool as YAML in the `gatehouse apply` format, or a scope's policy
/// document (a template when the scope has none yet).
public enum EditTarget: Sendable, Hashable {
    case api(String)
    case server(String)
    case tool(server: String, tool: String)
    /// The policy document of a scope (`global`, `server:<name>`, `tool:<server>/<tool>`).
    case policy(scope: String)
}

/// Something the reducer asks the console service to do. Effects are executed outside the reducer; their outcome
/// comes back as ``ConsoleEvent/effectFinished(_:)``.
public enum ConsoleEffect: Sendable, Equatable {
    /// Leave the console (the engine shuts down gracefully).
    case quit
    /// Re-sample data now.
    case refresh
    /// Put text on the terminal's clipboard (OSC 52); the driver does it.
    case copy(String)
    case importAPI(name: String, source: String, baseURL: String?, allowPrivateNetwork: Bool)
    case deleteAPI(name: String)
    /// `operations` are ``ConsoleData/OperationRow/id`` values; all of them when `nil`.
    case createServer(name: String, api: String, operations: [String]?, basePath: String, description: String)
    case updateServer(name: String, newName: String?, description: String?, basePath: String?, enabled: Bool?)
    case deleteServer(name: String)
    /// `description`: nil leaves it, `.some(nil)` restores the operation's.
    case updateTool(server: String, tool: String, newName: String?, description: String??, enabled: Bool?)
    /// Serve the built-in sample API on loopback, import it as `demo` and expose it as server `demo`.
    case loadDemo
    /// Suspend the UI and edit the entity's YAML in `$EDITOR`.
    case edit(EditTarget)
    /// Require (or stop requiring) a subscription key on a server.
    case setServerRequiresSubscription(name: String, required: Bool)
    /// Remove a scope's policy document.
    case deletePolicy(scope: String)
    /// Resume (`active: true`) or suspend a subscription.
    case setSubscriptionActive(name: String, active: Bool)
    case deleteSubscription(name: String)
    /// Start the authorization-code flow of a connection; the outcome carries the URL (``EffectOutcome/authorization``).
    /// - Parameter redirectURI: the running gateway's `http://<listen address>/oauth/callback`.
    case authorizeConnection(name: String, redirectURI: String)
    /// Delete a connection (the store refuses while an API uses it).
    case deleteCredentialConnection(name: String)
    /// Delete a provider, its sealed secret and its connections (refused while an API uses one of them).
    case deleteCredentialProvider(name: String)
    /// Approve the current definitions of an upstream's held-back tools. `tools` maps each tool name to the fingerprint
    /// of the definition the console showed: nothing is approved if one of them changed since.
    case approveUpstreamTools(upstream: String, tools: [String: String])
    /// Connect to an upstream, list its tools and record them (``UpstreamAdmin/discover(_:)``).
    case discoverUpstream(name: String)
    /// A change a screen defines in its own file; executed like every other (refused in read-only mode, reported to the
    /// log pane, followed by a reload).
    case screenTask(ScreenTask)
}

/// A change a screen defines itself, so a screen that changes something new needs no new ``ConsoleEffect`` case: it
/// names what it does and on what (which is what compares equal in reducer tests), and the work to do with the
/// executor's store and services. The reducer only builds it; ``ConsoleEffectExecutor`` runs it.
public struct ScreenTask: Sendable, Equatable {
    /// What it does, e.g. `alerts.acknowledge`.
    public let name: String
    /// What it acts on, e.g. an alert's identity.
    public let subject: String
    /// Does the work; returns the one-line outcome (the flash and the log pane). Thrown errors become a failed outcome.
    let run: @Sendable (ConsoleEffectExecutor) async throws -> String
    /// Only reads (loading stored history): allowed in read-only mode, and neither reloads the engine nor goes to the
    /// log pane.
    let readsOnly: Bool

    init(_ name: String, subject: String, readsOnly: Bool = false, run: @escaping @Sendable (ConsoleEffectExecutor) async throws -> String) {
        self.name = name
        self.subject = subject
        self.readsOnly = readsOnly
        self.run = run
    }

    public static func == (a: ScreenTask, b: ScreenTask) -> Bool { a.name == b.name && a.subject == b.subject }
}

/// The outcome of an effect, shown as a one-line flash.
public struct EffectOutcome: Sendable, Equatable {
    public var succeeded: Bool
    public var message: String
    /// The authorization URL an ``ConsoleEffect/authorizeConnection(name:redirectURI:)`` produced (never in `message`,
    /// which also goes to the log pane).
    public var authorization: AuthorizationLink?
    public init(succeeded: Bool, message: String, authorization: AuthorizationLink? = nil) {
        self.succeeded = succeeded
        self.message = message
        self.authorization = authorization
    }
}

/// Input to the reducer.
public enum ConsoleEvent: Sendable, Equatable {
    case key(Key)
    /// Text the terminal delivered as a bracketed paste: inserted into the text field being edited, never read as keys.
    case paste(String)
    case resize(width: Int, height: Int)
    /// A refresh tick with newly sampled data.
    case data(ConsoleData)
    case effectFinished(EffectOutcome)
}
