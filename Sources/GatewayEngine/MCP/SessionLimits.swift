import Foundation

/// How many MCP sessions the gateway keeps, and for whom. A flood of `initialize` calls from one address (or one
/// principal) is refused at its own cap; a full table evicts the oldest idle session of the busiest server instead
/// of refusing new clients, so one server's sessions cannot starve another's.
public struct SessionLimits: Sendable, Equatable {
    /// The most sessions at once, over every server. Default 10,000.
    public var maxSessions: Int = 10_000
    /// The most sessions one client address holds (429 beyond). Default 64.
    public var perClientAddress: Int = 64
    /// The most sessions one authenticated principal holds (429 beyond). Default 256.
    public var perPrincipal: Int = 256
    /// A session that made no request after `initialize` expires after this. Default 30 seconds.
    public var unusedTimeout: Duration = .seconds(30)
    /// A session idle (no request, no open stream) longer than this expires. Default 30 minutes.
    public var idleTimeout: Duration = .seconds(1800)

    /// The defaults above.
    public init() {}
}

/// Why a session was not admitted.
struct SessionRefusalReason: Error, Equatable {
    /// A short code (`client_address`, `principal`, `table_full`), the `/metrics` label.
    var code: String
    var message: String
}
