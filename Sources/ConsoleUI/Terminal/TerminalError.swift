import GatewayFoundation

/// An error raised by the terminal backend or the editor launcher: a stable code and a message.
public struct TerminalError: GatehouseError, Equatable {
    /// A stable, bounded error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// stdin or stdout is not a terminal.
        public static let notATerminal = Code("not_a_terminal")
        /// curses could not start on this terminal (unknown `$TERM`, for instance).
        public static let unsupportedTerminal = Code("unsupported_terminal")
        /// The editor could not be started or failed.
        public static let editorFailed = Code("editor_failed")
    }

    /// The error's code.
    public var code: Code
    /// What went wrong.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The code as text (``GatehouseError/errorCode``).
    public var errorCode: String { code.rawValue }
    /// The message (what the CLI and the console print).
    public var description: String { message }
}
