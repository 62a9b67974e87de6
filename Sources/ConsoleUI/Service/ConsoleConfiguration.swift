import Foundation
import Synchronization

/// How the console behaves. Every field has a documented default.
///
/// ```swift
/// var config = ConsoleConfiguration()
/// config.readOnly = true
/// config.refreshInterval = .milliseconds(500)
/// ```
public struct ConsoleConfiguration: Sendable {
    /// Hide and refuse every mutating action. Default false.
    public var readOnly = false
    /// No colours (`NO_COLOR`, `--no-color`). Default false.
    public var monochrome = false
    /// Clicks select and open rows and switch tabs, the wheel scrolls. Default on; off leaves the mouse to the
    /// terminal (its own text selection without Shift).
    public var mouse = true
    /// Styles from a theme file (``ThemeOverrides``). Default: none, the built-in theme.
    public var theme = ThemeOverrides()
    /// How often data is sampled from the engine and the screen redrawn. Default 1 s.
    public var refreshInterval: Duration = .seconds(1)
    /// The `http://HOST:PORT` the engine listens on, read at every refresh (empty until known). Default empty.
    public var listenAddress: @Sendable () -> String = { "" }
    /// Which engine the console shows (embedded, or attached through an admin endpoint) and its status, read at every
    /// refresh. Default: an embedded engine whose status is unknown.
    public var engine: @Sendable () -> EngineLink = { .embedded }
    /// Request records sampled per refresh (newest first). Default 500.
    public var recordLimit = 500
    /// Engine events sampled per refresh (newest first). Default 500.
    public var eventLimit = 500
    /// The environment the editor command is read from (`$VISUAL`, `$EDITOR`). Default: the process's.
    public var editorEnvironment: [String: String] = ProcessInfo.processInfo.environment
    /// The environment the master key is read from (`GATEHOUSE_MASTER_KEY`, else `master.key` beside the database), to
    /// show masked secrets and start authorizations. Default: the process's.
    public var credentialEnvironment: [String: String] = ProcessInfo.processInfo.environment
    /// Where edit files are written. Default: the system temporary directory.
    public var temporaryDirectory: String = NSTemporaryDirectory()

    public init() {}

    /// Whether the environment asks for no colour (`NO_COLOR` set to anything non-empty, per no-color.org).
    public static func environmentWantsNoColor(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        !(environment["NO_COLOR"] ?? "").isEmpty
    }
}

/// A value that is set once the HTTP server is up (its bound address) and read by the console at every refresh.
public final class ListenAddress: Sendable {
    private let value = Mutex("")

    public init() {}

    /// The current address (`http://HOST:PORT`), empty until set.
    public var current: String { value.withLock { $0 } }

    /// Sets the address.
    public func set(_ address: String) { value.withLock { $0 = address } }
}
