import Foundation

extension OAuthClient {
    /// The URL to send the user's browser to (RFC 6749 §4.1.1 with PKCE S256): `response_type=code`, `client_id`,
    /// `redirect_uri`, `scope` (space-joined, when any), `state`, `code_challenge`, `code_challenge_method=S256` and
    /// `audience` when set, each percent-encoded (only unreserved characters stay), after the authorization URL's own
    /// query.
    ///
    /// Throws `.invalid` when no authorization URL is configured, when it is not a valid http(s) URL under the same
    /// rules as the token URL (``OAuthEndpoints/validate()``; `javascript:`, `data:`, `file:`… are refused), when it
    /// already carries one of these parameters, or when `redirectURI` is not an absolute http(s) URL without fragment.
    static func authorizationURL(
        _ e: OAuthEndpoints, redirectURI: String, state: String, codeChallenge: String
    ) throws(CredentialError) -> String {
        guard let base = e.authorizationURL else {
            throw CredentialError(.invalid, "no authorization URL is configured for this connection")
        }
        try e.validate()
        let checked = try OAuthEndpoints.checkURL(base, role: "authorization URL", allowPrivateNetwork: e.allowPrivateNetwork)
        try checkRedirectURI(redirectURI)
        guard !state.isEmpty, !codeChallenge.isEmpty else {
            throw CredentialError(.invalid, "the authorization request needs a state and a code challenge")
        }
        var parameters = [
            ("response_type", "code"), ("client_id", e.clientID), ("redirect_uri", redirectURI),
        ]
        if !e.scopes.isEmpty { parameters.append(("scope", e.scopes.joined(separator: " "))) }
        parameters += [("state", state), ("code_challenge", codeChallenge), ("code_challenge_method", "S256")]
        if let audience = e.audience { parameters.append(("audience", audience)) }

        let existing = checked.components.percentEncodedQuery ?? ""
        let existingNames = Set(existing.split(separator: "&").map { String($0.split(separator: "=", maxSplits: 1).first ?? "").lowercased() })
        for (name, _) in parameters where existingNames.contains(name) {
            throw CredentialError(.invalid, "the authorization URL already has a '\(name)' parameter")
        }
        let query = parameters.map { PercentEncoder.encodeQuery($0.0) + "=" + PercentEncoder.encodeQuery($0.1) }.joined(separator: "&")
        var components = checked.components
        components.percentEncodedQuery = existing.isEmpty ? query : existing + "&" + query
        guard let url = components.string else {
            throw CredentialError(.invalid, "the authorization URL could not be built")
        }
        return url
    }

    /// A redirect URI must be an absolute http(s) URL with a host and without a fragment (RFC 6749 §3.1.2).
    static func checkRedirectURI(_ text: String) throws(CredentialError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw CredentialError(.invalid, "the redirect URI must be an absolute http(s) URL")
        }
        guard components.fragment == nil, !text.contains("#") else {
            throw CredentialError(.invalid, "the redirect URI must not contain a fragment")
        }
    }
}
