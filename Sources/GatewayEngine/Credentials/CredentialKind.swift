import Foundation

/// The kinds of credential provider.
public enum CredentialKind: String, Sendable, CaseIterable, Codable {
    /// A static API key sent in a header or a query parameter.
    case apiKey = "api-key"
    /// A static bearer token (`Authorization: Bearer …`).
    case bearer
    /// HTTP basic authentication with a stored password.
    case basic
    /// OAuth 2.0 client credentials grant.
    case clientCredentials = "client-credentials"
    /// OAuth 2.0 authorization code grant with PKCE.
    case authorizationCode = "authorization-code"

    /// Static providers are their own connection and need no token endpoint.
    public var isStatic: Bool { self == .apiKey || self == .bearer || self == .basic }
}

/// A provider's settings that are not secret (stored as JSON text in the clear).
public struct CredentialProviderSettings: Codable, Sendable, Equatable {
    /// `api-key`: the header that carries the key (default `X-API-Key` unless `queryName` is set).
    public var headerName: String?
    /// `api-key`: the query parameter that carries the key instead of a header.
    public var queryName: String?
    /// `basic`: the user name.
    public var username: String?
    /// OAuth: the token endpoint.
    public var tokenURL: String?
    /// `authorization-code`: the authorization endpoint.
    public var authorizationURL: String?
    /// OAuth: the client id.
    public var clientID: String?
    /// OAuth: scopes to request.
    public var scopes: [String]?
    /// OAuth: the audience (resource) to request, when the provider wants one.
    public var audience: String?
    /// OAuth: `basic` (default) or `post` client authentication.
    public var clientAuthentication: String?

    /// Settings of a provider; which fields apply depends on its kind.
    public init(
        headerName: String? = nil, queryName: String? = nil, username: String? = nil, tokenURL: String? = nil, authorizationURL: String? = nil,
        clientID: String? = nil, scopes: [String]? = nil, audience: String? = nil, clientAuthentication: String? = nil
    ) {
        self.headerName = headerName
        self.queryName = queryName
        self.username = username
        self.tokenURL = tokenURL
        self.authorizationURL = authorizationURL
        self.clientID = clientID
        self.scopes = scopes
        self.audience = audience
        self.clientAuthentication = clientAuthentication
    }

    /// JSON text for the store.
    var encoded: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    /// Reads stored JSON text.
    public static func decode(_ text: String) -> CredentialProviderSettings {
        (try? JSONDecoder().decode(CredentialProviderSettings.self, from: Data(text.utf8))) ?? CredentialProviderSettings()
    }

    /// Checks the settings a kind needs; the message names the missing option.
    public func validate(for kind: CredentialKind) throws(CredentialError) {
        func need(_ value: String?, _ option: String) throws(CredentialError) {
            guard let value, !value.isEmpty else { throw CredentialError(.invalid, "a \(kind.rawValue) provider needs \(option)") }
        }
        switch kind {
        case .apiKey:
            if headerName != nil && queryName != nil { throw CredentialError(.invalid, "an api-key goes in a header or a query parameter, not both") }
            if let h = headerName { try Self.checkHeaderName(h) }
        case .bearer:
            break
        case .basic:
            try need(username, "--username")
            if username!.contains(":") { throw CredentialError(.invalid, "a basic user name cannot contain ':'") }
        case .clientCredentials:
            try need(tokenURL, "--token-url")
            try need(clientID, "--client-id")
        case .authorizationCode:
            try need(tokenURL, "--token-url")
            try need(authorizationURL, "--authorization-url")
            try need(clientID, "--client-id")
        }
        if let c = clientAuthentication, c != "basic" && c != "post" { throw CredentialError(.invalid, "--client-auth is basic or post") }
    }

    static func checkHeaderName(_ name: String) throws(CredentialError) {
        let token = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !name.isEmpty, name.count <= 100, name.unicodeScalars.allSatisfy(token.contains),
            !["host", "content-length", "transfer-encoding", "connection"].contains(name.lowercased())
        else { throw CredentialError(.invalid, "'\(name.prefix(40))' cannot carry a credential") }
    }
}

/// The `scheme://host:port` of a URL, lowercased, with the default port made explicit; nil when unparseable.
public func credentialOrigin(of url: String) -> String? {
    guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), let host = u.host?.lowercased(), scheme == "http" || scheme == "https" else {
        return nil
    }
    let port = u.port ?? (scheme == "https" ? 443 : 80)
    return "\(scheme)://\(host):\(port)"
}
