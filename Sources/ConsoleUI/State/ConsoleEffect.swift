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
    /// Does the work; returns the one-line outcome (the flash and the log pane) and, for a task that makes a secret
    /// (a subscription key), the secret to show once. Thrown errors become a failed outcome.
    let work: @Sendable (ConsoleEffectExecutor) async throws -> Result
    /// Only reads (loading stored history): allowed in read-only mode, and neither reloads the engine nor goes to the
    /// log pane.
    let readsOnly: Bool

    /// What a task produced.
    struct Result: Sendable {
        /// The one-line outcome; never holds the secret.
        var message: String
        var shownOnce: ShownOnce?
    }

    init(_ name: String, subject: String, readsOnly: Bool = false, run: @escaping @Sendable (ConsoleEffectExecutor) async throws -> String) {
        self.name = name
        self.subject = subject
        self.readsOnly = readsOnly
        work = { Result(message: try await run($0)) }
    }

    private init(_ name: String, subject: String, work: @escaping @Sendable (ConsoleEffectExecutor) async throws -> Result) {
        self.name = name
        self.subject = subject
        readsOnly = false
        self.work = work
    }

    /// A task whose outcome includes a secret shown once in a dialog (``ShownOnce``), never in the flash or the log.
    static func revealing(
        _ name: String, subject: String, run: @escaping @Sendable (ConsoleEffectExecutor) async throws -> (String, ShownOnce)
    ) -> ScreenTask {
        ScreenTask(name, subject: subject) { (executor: ConsoleEffectExecutor) async throws -> Result in
            let (message, secret) = try await run(executor)
            return Result(message: message, shownOnce: secret)
        }
    }

    public static func == (a: ScreenTask, b: ScreenTask) -> Bool { a.name == b.name && a.subject == b.subject }
}

/// A secret that exists in clear only now (a new subscription key): shown in a dialog that says so, copyable with `y`,
/// gone from the console's memory when the dialog closes. It never reaches the flash, the log pane or a log.
public struct ShownOnce: Sendable, Equatable, CustomStringConvertible {
    /// The dialog's title (`Subscription key`).
    public var title: String
    /// Lines above the value (what it is and how clients use it).
    public var lines: [String]
    /// The secret.
    public var value: String

    public init(title: String, lines: [String], value: String) {
        self.title = title
        self.lines = lines
        self.value = value
    }

    /// Masked, so that printing an outcome or a state never shows it.
    public var description: String { "ShownOnce(\(title), value: ••••)" }
}

/// The outcome of an effect, shown as a one-line flash.
public struct EffectOutcome: Sendable, Equatable {
    public var succeeded: Bool
    public var message: String
    /// The authorization URL an ``ConsoleEffect/authorizeConnection(name:redirectURI:)`` produced (never in `message`,
    /// which also goes to the log pane).
    public var authorization: AuthorizationLink?
    /// A secret to show once (a new subscription key), never in `message`.
    public var shownOnce: ShownOnce?
    public init(succeeded: Bool, message: String, authorization: AuthorizationLink? = nil, shownOnce: ShownOnce? = nil) {
        self.succeeded = succeeded
        self.message = message
        self.authorization = authorization
        self.shownOnce = shownOnce
    }
}

/// Input to the reducer.
public enum ConsoleEvent: Sendable, Equatable {
    case key(Key)
    /// Text the terminal delivered as a bracketed paste: inserted into the text field being edited, never read as keys.
    case paste(String)
    case resize(width: Int, height: Int)
    /// A click, double click or wheel step at a cell.
    case mouse(MouseEvent)
    /// A refresh tick with newly sampled data.
    case data(ConsoleData)
    case effectFinished(EffectOutcome)
}
