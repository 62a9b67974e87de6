import GatewayFoundation

/// An error raised by the store: a stable code and a message naming the entity.
public struct StoreError: GatehouseError, Equatable {
    /// A stable, bounded error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }
        /// The named entity does not exist.
        public static let notFound = Code("not_found")
        /// A unique name or base path is already taken, or a deletion would orphan another entity.
        public static let conflict = Code("conflict")
        /// The database could not be opened or is damaged.
        public static let unavailable = Code("unavailable")
        /// A value breaks a rule of the schema.
        public static let invalid = Code("invalid")
    }

    /// The error's code.
    public var code: Code
    /// What went wrong, naming the entity.
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
