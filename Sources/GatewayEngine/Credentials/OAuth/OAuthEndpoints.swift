import Foundation

/// Where and how to talk to an OAuth 2.0 authorization server for one connection.
///
/// The initialiser validates both URLs (see ``validate()``); ``OAuthClient`` validates again before every call,
/// because the properties stay mutable.
struct OAuthEndpoints: Sendable, Hashable {
    /// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
    enum ClientAuthentication: String, Sendable, Hashable, CaseIterable {
        /// HTTP Basic with the form-urlencoded client id and secret (the RFC's recommended method; the default).
        case basic
        /// `client_id` and `client_secret` in the request body.
        case post
    }

    /// The token endpoint.
    var tokenURL: String
    /// The authorization endpoint (only for the authorization-code flow).
    var authorizationURL: String?
    var clientID: String
    /// Requested scopes, sent space-joined.
    var scopes: [String]
    /// An `audience` parameter (Auth0 and similar), sent when set.
    var audience: String?
    /// Allows loopback and private addresses (and then plain `http` to them).
    var allowPrivateNetwork: Bool
    var clientAuthentication: ClientAuthentication

    /// Creates and validates endpoints; throws `.invalid` naming the faulty URL.
    init(
        tokenURL: String, authorizationURL: String? = nil, clientID: String, scopes: [String] = [],
        audience: String? = nil, allowPrivateNetwork: Bool = false, clientAuthentication: ClientAuthentication = .basic
    ) throws(CredentialError) {
        self.tokenURL = tokenURL
        self.authorizationURL = authorizationURL
        self.clientID = clientID
        self.scopes = scopes
        self.audience = audience
        self.allowPrivateNetwork = allowPrivateNetwork
        self.clientAuthentication = clientAuthentication
        try validate()
    }

    /// Checks both URLs and the client id.
    ///
    /// A URL must be absolute `https` without userinfo or fragment. Plain `http` is accepted only with
    /// ``allowPrivateNetwork`` and a host that is loopback or private: `localhost`, a private IP literal, or a name
    /// (which ``OAuthClient`` resolves before each call and refuses unless every address is private).
    func validate() throws(CredentialError) {
        guard !clientID.isEmpty else { throw CredentialError(.invalid, "the OAuth client id is empty") }
        guard !clientID.contains(where: { $0.isNewline || ($0.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false) }) else {
            throw CredentialError(.invalid, "the OAuth client id contains control characters")
        }
        _ = try Self.checkURL(tokenURL, role: "token URL", allowPrivateNetwork: allowPrivateNetwork)
        if let authorizationURL {
            _ = try Self.checkURL(authorizationURL, role: "authorization URL", allowPrivateNetwork: allowPrivateNetwork)
        }
    }

    /// A checked endpoint URL: its scheme and host (IPv6 without brackets).
    struct CheckedURL: Sendable {
        var components: URLComponents
        var scheme: String
        var host: String
    }

    /// Validates one endpoint URL (see ``validate()``).
    static func checkURL(_ text: String, role: String, allowPrivateNetwork: Bool) throws(CredentialError) -> CheckedURL {
        guard let components = URLComponents(string: text), let rawScheme = components.scheme else {
            throw CredentialError(.invalid, "the \(role) '\(text.prefix(200))' is not an absolute URL")
        }
        let scheme = rawScheme.lowercased()
        guard scheme == "https" || scheme == "http" else {
            throw CredentialError(.invalid, "the \(role) must use https, not '\(scheme.prefix(20))'")
        }
        guard var host = components.host, !host.isEmpty else {
            throw CredentialError(.invalid, "the \(role) '\(text.prefix(200))' has no host")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard components.user == nil, components.password == nil, components.percentEncodedUser == nil else {
            throw CredentialError(.invalid, "the \(role) must not contain credentials (user info)")
        }
        guard components.fragment == nil, !text.contains("#") else {
            throw CredentialError(.invalid, "the \(role) must not contain a fragment")
        }
        guard !text.contains(where: { $0.isWhitespace }) else {
            throw CredentialError(.invalid, "the \(role) must not contain whitespace")
        }
        if scheme == "http" {
            guard allowPrivateNetwork else {
                throw CredentialError(
                    .invalid, "the \(role) must use https (plain http is allowed only for loopback or private hosts with private networks allowed)")
            }
            if let isPrivate = isPrivateHostLiteral(host), !isPrivate {
                throw CredentialError(.invalid, "the \(role) must use https: \(host) is a address")
            }
        }
        return CheckedURL(components: components, scheme: scheme, host: host)
    }

    /// Whether `host` is a loopback or private address when that can be told without DNS: `localhost` names and IP
    /// literals. Nil for other names.
    static func isPrivateHostLiteral(_ host: String) -> Bool? {
        let lower = host.lowercased()
        if lower == "localhost" || lower.hasSuffix(".localhost") { return true }
        if let address = AddressGuard.literalAddress(host) { return AddressGuard.forbiddenReason(address) != nil }
        return nil
    }
}
