import Foundation

/// Tokens from a token endpoint (RFC 6749 §5.1). The tokens themselves are ``SecretValue``s: they print masked.
struct OAuthTokens: Sendable {
    var accessToken: SecretValue
    /// The refresh token, when the server issued one (after a refresh without a new one: the previous one).
    var refreshToken: SecretValue?
    /// When the access token expires (`now + expires_in`); nil when the server did not say.
    var expiresAt: Date?
    /// The token type as the server spelled it (always some casing of `Bearer`).
    var tokenType: String
    /// The granted scope, when the server said.
    var scope: String?

    init(accessToken: SecretValue, refreshToken: SecretValue? = nil, expiresAt: Date? = nil, tokenType: String = "Bearer", scope: String? = nil) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.tokenType = tokenType
        self.scope = scope
    }
}
