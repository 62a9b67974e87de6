import Foundation

/// Who a verified bearer token speaks for: its subject, issuer, scopes and every payload claim.
public struct JWTPrincipal: Sendable, Equatable {
    /// The `sub` claim, if it is a string.
    public var subject: String?
    /// The `iss` claim, if it is a string.
    public var issuer: String?
    /// The whole payload, in the order the token wrote it.
    public var claims: JSONObject
    /// The scopes granted by `scope` (space-separated) and `scp` (a string or an array of strings).
    public var scopes: Set<String>
    /// The `exp` claim as a date, if present.
    public var expiresAt: Date?

    /// A principal with the given values.
    public init(subject: String? = nil, issuer: String? = nil, claims: JSONObject = [:], scopes: Set<String> = [], expiresAt: Date? = nil) {
        self.subject = subject
        self.issuer = issuer
        self.claims = claims
        self.scopes = scopes
        self.expiresAt = expiresAt
    }
}
