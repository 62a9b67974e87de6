/// An error raised by the engine, with a stable code (usable as a metrics label) and a message that says what
/// was wrong and where.
public struct GatewayError: GatehouseError, Equatable {
    /// A stable, bounded error code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code's text (a metrics label).
        public let rawValue: String
        /// A code from its text.
        public init(_ rawValue: String) { self.rawValue = rawValue }
        /// The code's text.
        public var description: String { rawValue }

        /// The OpenAPI document could not be read or parsed.
        public static let invalidSpec = Code("invalid_spec")
        /// The document uses something the importer refuses (an external `$ref`, for instance).
        public static let unsupportedSpec = Code("unsupported_spec")
        /// A URL was refused by the SSRF guard.
        public static let forbiddenAddress = Code("forbidden_address")
        /// A URL is malformed or uses a scheme that is not allowed.
        public static let invalidURL = Code("invalid_url")
        /// A named entity does not exist.
        public static let notFound = Code("not_found")
        /// A named entity already exists, or a name collides.
        public static let conflict = Code("conflict")
        /// The request or configuration is invalid.
        public static let invalidArgument = Code("invalid_argument")
        /// Fetching a remote document failed.
        public static let fetchFailed = Code("fetch_failed")
        /// The declarative configuration file is invalid.
        public static let invalidConfig = Code("invalid_config")
    }

    /// The error's code.
    public var code: Code
    /// A human-readable message naming what was wrong.
    public var message: String
    /// Where: a file, `file:line`, or a JSON pointer; nil when not applicable.
    public var location: String?

    /// An error with a code, a message and, when it helps, where.
    public init(_ code: Code, _ message: String, location: String? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    /// The code as text (``GatehouseError/errorCode``).
    public var errorCode: String { code.rawValue }
    /// `location: message`, or the message alone.
    public var description: String { formatted }
}
