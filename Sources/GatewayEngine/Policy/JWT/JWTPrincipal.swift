import Foundation

/// Who a verified bearer token speaks for: its subject, issuer, scopes and every payload claim.
struct JWTPrincipal: Sendable, Equatable {
    /// The `sub` claim, if it is a string.
    var subject: String?
    /// The `iss` claim, if it is a string.
    var issuer: String?
    /// The whole payload, in the order the token wrote it.
    var claims: JSONObject
    /// The scopes granted by `scope` (space-separated) and `scp` (a string or an array of strings).
    var scopes: Set<String>
    /// The `exp` claim as a date, if present.
    var expiresAt: Date?

    /// A principal with the given values.
    init(subject: String? = nil, issuer: String? = nil, claims: JSONObject = [:], scopes: Set<String> = [], expiresAt: Date? = nil) {
        self.subject = subject
        self.issuer = issuer
        self.claims = claims
        self.scopes = scopes
        self.expiresAt = expiresAt
    }
}
