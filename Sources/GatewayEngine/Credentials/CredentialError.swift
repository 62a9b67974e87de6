/// An error of the credential manager: a stable code and a message that never contains a secret.
public struct CredentialError: GatehouseError, Equatable {
    /// A stable, bounded error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's text (a metrics label).
        public let rawValue: String
        /// A code from its text.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }
        /// No usable master key: credentials stay locked.
        public static let locked = Code("credentials_locked")
        /// The master key is malformed, too weak, or its file is readable by others.
        public static let invalidKey = Code("invalid_master_key")
        /// A sealed value failed authentication: wrong key, moved to another row, or tampered with.
        public static let unsealFailed = Code("unseal_failed")
        /// The identity provider refused or failed (token endpoint errors, bad responses).
        public static let providerError = Code("provider_error")
        /// The connection is not authorised yet, or its refresh token no longer works.
        public static let notConnected = Code("not_connected")
        /// The request or configuration is invalid.
        public static let invalid = Code("invalid_credential")
    }

    /// The error's code.
    public var code: Code
    /// What went wrong; never a secret.
    public var message: String

    /// An error with a code and a message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The code as text (``GatehouseError/errorCode``).
    public var errorCode: String { code.rawValue }
    /// The message (what the CLI and the console print).
    public var description: String { message }
}
