import Foundation

extension OAuthClient {
    /// Interprets a token endpoint's answer: RFC 6749 §5.1 on 2xx, §5.2 otherwise.
    static func interpret(_ exchange: Exchange, grant: Grant, now: Date, scrubber: Scrubber) throws(CredentialError) -> OAuthTokens {
        let host = exchange.host
        let json = try? JSONParser().parse(exchange.body)
        guard (200..<300).contains(exchange.status) else {
            guard let error = json?["error"]?.stringValue, !error.isEmpty else {
                throw CredentialError(.providerError, "the token endpoint at \(host) answered HTTP \(exchange.status)")
            }
            let code = scrubber.scrub(sanitize(scrubber.scrub(error), limit: 64, allowSpaces: false))
            if grant == .refreshToken && error == "invalid_grant" {
                throw CredentialError(
                    .notConnected, "the refresh token was refused (invalid_grant); reconnect with gatehouse credential connect NAME")
            }
            var message = "the token endpoint at \(host) refused the \(grant.rawValue) request: \(code)"
            if let description = json?["error_description"]?.stringValue {
                let text = scrubber.scrub(sanitize(scrubber.scrub(description), limit: 200, allowSpaces: true))
                if !text.isEmpty { message += " (\(text))" }
            }
            throw CredentialError(.providerError, message)
        }
        guard let object = json?.objectValue else {
            throw CredentialError(.providerError, "the token endpoint at \(host) answered HTTP \(exchange.status) without a JSON object")
        }
        guard let access = object["access_token"]?.stringValue, !access.isEmpty else {
            throw CredentialError(.providerError, "the token endpoint at \(host) answered without an access_token")
        }
        guard isTokenText(access) else {
            throw CredentialError(.providerError, "the token endpoint at \(host) sent an access token with invalid characters")
        }
        guard let type = object["token_type"]?.stringValue else {
            throw CredentialError(.providerError, "the token endpoint at \(host) answered without a token_type")
        }
        guard type.lowercased() == "bearer" else {
            throw CredentialError(
                .providerError,
                "the token endpoint at \(host) issued a '\(scrubber.scrub(sanitize(scrubber.scrub(type), limit: 32, allowSpaces: false)))' token; only Bearer tokens are supported"
            )
        }
        var expiresAt: Date?
        if let value = object["expires_in"], !value.isNull {
            let seconds: Int64? = value.intValue ?? value.stringValue.flatMap { Int64($0) }
            guard let seconds else {
                throw CredentialError(.providerError, "the token endpoint at \(host) sent an expires_in that is not a whole number")
            }
            // Negative means already expired; more than ten years is treated as ten years.
            expiresAt = now.addingTimeInterval(TimeInterval(min(max(seconds, 0), 315_360_000)))
        }
        var refresh: SecretValue?
        if let value = object["refresh_token"], !value.isNull {
            guard let text = value.stringValue, !text.isEmpty, isTokenText(text) else {
                throw CredentialError(.providerError, "the token endpoint at \(host) sent an invalid refresh_token")
            }
            refresh = SecretValue(text)
        }
        let scope = object["scope"]?.stringValue
        return OAuthTokens(
            accessToken: SecretValue(access), refreshToken: refresh, expiresAt: expiresAt, tokenType: type, scope: scope)
    }

    /// Whether a token is printable ASCII without spaces (so it can go into a header as is).
    static func isTokenText(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F }
    }

    /// Drops control, format and (optionally) space characters and caps the length, adding `…` when cut.
    static func sanitize(_ text: String, limit: Int, allowSpaces: Bool) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            let category = scalar.properties.generalCategory
            if category == .control || category == .format || category == .lineSeparator || category == .paragraphSeparator { continue }
            if !allowSpaces && scalar.properties.isWhitespace { continue }
            if count == limit { return out + "…" }
            out.unicodeScalars.append(scalar)
            count += 1
        }
        return out
    }
}

/// Removes secrets from text an identity provider sent back: every occurrence of the client secret, the tokens,
/// code and verifier sent, and their encoded forms (form-urlencoded, percent-encoded, the Basic credential) is
/// replaced by `[redacted]`, before any truncation.
struct Scrubber: Sendable {
    private var forms: [String] = []

    init(clientID: String, clientSecret: String, others: [String]) {
        var forms: Set<String> = []
        for secret in [clientSecret] + others where !secret.isEmpty {
            forms.insert(secret)
            forms.insert(PercentEncoder.encodeFormWHATWG(secret))
            forms.insert(PercentEncoder.encodeQuery(secret))
            forms.insert(Base64URL.encode(Array(secret.utf8)))
            forms.insert(Data(secret.utf8).base64EncodedString())
        }
        if !clientSecret.isEmpty {
            let pair = PercentEncoder.encodeFormWHATWG(clientID) + ":" + PercentEncoder.encodeFormWHATWG(clientSecret)
            forms.insert(Data(pair.utf8).base64EncodedString())
            forms.insert(Data((clientID + ":" + clientSecret).utf8).base64EncodedString())
        }
        // Longest first, so a form containing another is replaced whole.
        self.forms = forms.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    func scrub(_ text: String) -> String {
        var text = text
        for form in forms where text.contains(form) {
            text = text.replacingOccurrences(of: form, with: "[redacted]")
        }
        return text
    }
}
