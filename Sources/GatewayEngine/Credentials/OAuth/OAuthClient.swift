import AsyncHTTPClient
import Foundation
import NIOCore

/// The client side of OAuth 2.0 (RFC 6749) at a token endpoint: the client-credentials grant, the authorization-code
/// grant with PKCE S256 (RFC 7636) and refresh.
///
/// Every call validates the endpoints, passes the token URL through the SSRF guard (and, for plain `http`, requires
/// every resolved address to be private), POSTs `application/x-www-form-urlencoded` with `Accept: application/json`,
/// gives up after 10 s, reads at most 64 KiB and never follows a redirect: a 3xx is an error. Errors are
/// ``CredentialError``s whose messages never contain the client secret, a token, a code or a verifier, even when the
/// server echoes them.
///
/// The client must be configured with `redirectConfiguration: .disallow` (``makeHTTPClient()`` makes one):
/// AsyncHTTPClient has no per-request switch, so with a client that follows redirects the redirect target would
/// still be contacted, although the answer is refused. It connects to the address the guard approved.
struct OAuthClient: Sendable {
    let http: PinnedHTTPClient
    let now: @Sendable () -> Date
    /// The whole call, connect to last byte.
    var timeout: TimeAmount = .seconds(10)
    /// The largest response body accepted.
    var maxResponseBytes = 64 * 1024

    init(http: PinnedHTTPClient, now: @escaping @Sendable () -> Date = { Date() }) {
        self.http = http
        self.now = now
    }

    /// An `HTTPClient` fit for token endpoints: no redirects, no decompression, 5 s connect timeout.
    static func makeHTTPClient() -> PinnedHTTPClient {
        var config = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: .seconds(5), read: .seconds(10)),
            decompression: .disabled)
        config.tracing.tracer = nil
        return PinnedHTTPClient(http: config)
    }

    /// The client-credentials grant (RFC 6749 §4.4), with the endpoints' scopes and audience.
    func clientCredentials(_ e: OAuthEndpoints, clientSecret: SecretValue) async throws(CredentialError) -> OAuthTokens {
        var fields = [("grant_type", "client_credentials")]
        if !e.scopes.isEmpty { fields.append(("scope", e.scopes.joined(separator: " "))) }
        if let audience = e.audience { fields.append(("audience", audience)) }
        return try await requestTokens(e, clientSecret: clientSecret, grant: .clientCredentials, fields: fields, secrets: [])
    }

    /// Exchanges an authorization code (RFC 6749 §4.1.3) with its PKCE verifier.
    func exchangeCode(
        _ e: OAuthEndpoints, clientSecret: SecretValue, code: String, verifier: String, redirectURI: String
    ) async throws(CredentialError) -> OAuthTokens {
        let fields = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI), ("code_verifier", verifier),
        ]
        return try await requestTokens(e, clientSecret: clientSecret, grant: .authorizationCode, fields: fields, secrets: [code, verifier])
    }

    /// Refreshes (RFC 6749 §6). When the server issues no new refresh token the result carries the one given.
    /// `invalid_grant` (revoked, expired or already rotated) is `.notConnected`.
    func refresh(_ e: OAuthEndpoints, clientSecret: SecretValue, refreshToken: SecretValue) async throws(CredentialError) -> OAuthTokens {
        let fields = [("grant_type", "refresh_token"), ("refresh_token", refreshToken.unmasked)]
        var tokens = try await requestTokens(
            e, clientSecret: clientSecret, grant: .refreshToken, fields: fields, secrets: [refreshToken.unmasked])
        if tokens.refreshToken == nil { tokens.refreshToken = refreshToken }
        return tokens
    }
}

extension OAuthClient {
    /// The grant a token request uses (for messages and error mapping).
    enum Grant: String, Sendable {
        case clientCredentials = "client_credentials"
        case authorizationCode = "authorization_code"
        case refreshToken = "refresh_token"
    }

    /// Builds, sends and interprets one token request.
    func requestTokens(
        _ e: OAuthEndpoints, clientSecret: SecretValue, grant: Grant, fields: [(String, String)], secrets: [String]
    ) async throws(CredentialError) -> OAuthTokens {
        try e.validate()
        var fields = fields
        var authorization: String?
        if clientSecret.isEmpty {
            fields.append(("client_id", e.clientID)) // a client (PKCE without a secret)
        } else {
            switch e.clientAuthentication {
            case .basic:
                let pair = PercentEncoder.encodeFormWHATWG(e.clientID) + ":" + PercentEncoder.encodeFormWHATWG(clientSecret.unmasked)
                authorization = "Basic " + Data(pair.utf8).base64EncodedString()
            case .post:
                fields.append(("client_id", e.clientID))
                fields.append(("client_secret", clientSecret.unmasked))
            }
        }
        let scrubber = Scrubber(clientID: e.clientID, clientSecret: clientSecret.unmasked, others: secrets)
        let exchange = try await post(
            e, body: PercentEncoder.formBody(fields), authorization: authorization, scrubber: scrubber)
        return try Self.interpret(exchange, grant: grant, now: now(), scrubber: scrubber)
    }
}
