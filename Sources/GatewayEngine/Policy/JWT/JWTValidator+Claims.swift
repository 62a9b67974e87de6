import Foundation

/// The payload checks: time, issuer, audience, required claims, scopes.
extension JWTValidator {
    /// Checks the claims of a verified payload and builds the principal.
    ///
    /// `exp` (required unless configured otherwise) and `nbf` are checked with the clock skew, as is `iat` (not in
    /// the future); `iss` must equal a configured issuer (or the discovery document's); `aud` (a string or an array
    /// of strings) must contain a configured audience; each required claim must be present and hold its values.
    func checkClaims(_ claims: JSONObject, at t: Date) throws(JWTRejection) -> JWTPrincipal {
        let (issuer, expiresAt) = try checkClaimValues(claims, at: t)
        var scopes = Set<String>()
        if case .string(let scope)? = claims["scope"] { scopes.formUnion(Self.words(scope)) }
        switch claims["scp"] {
        case .string(let scp)?: scopes.formUnion(Self.words(scp))
        case .array(let list)?: scopes.formUnion(list.compactMap(\.stringValue))
        default: break
        }
        return JWTPrincipal(
            subject: claims["sub"]?.stringValue, issuer: issuer, claims: claims, scopes: scopes, expiresAt: expiresAt)
    }

    /// The checks of ``checkClaims(_:at:)`` without building the principal (what a cached token goes through).
    func checkClaimValues(_ claims: JSONObject, at t: Date) throws(JWTRejection) -> (issuer: String, expiresAt: Date?) {
        let current = t.timeIntervalSince1970
        let skew = Double(max(0, settings.clockSkew))
        var expiresAt: Date?
        if let exp = claims["exp"] {
            guard let value = Self.numericDate(exp) else { throw .invalidToken("exp is not a number") }
            guard current < value + skew else { throw .invalidToken("token expired") }
            expiresAt = Date(timeIntervalSince1970: value)
        } else if settings.requireExpirationTime {
            throw .invalidToken("token has no exp")
        }
        if let nbf = claims["nbf"] {
            guard let value = Self.numericDate(nbf) else { throw .invalidToken("nbf is not a number") }
            guard current + skew >= value else { throw .invalidToken("token not valid yet (nbf)") }
        }
        if let iat = claims["iat"] {
            guard let value = Self.numericDate(iat) else { throw .invalidToken("iat is not a number") }
            guard value <= current + skew else { throw .invalidToken("token issued in the future (iat)") }
        }

        guard case .string(let issuer)? = claims["iss"] else { throw .invalidToken("token has no iss") }
        let accepted = settings.issuers.isEmpty ? keys.discoveredIssuer.map { [$0] } ?? [] : settings.issuers
        guard accepted.contains(issuer) else { throw .invalidToken("issuer not accepted") }

        switch claims["aud"] {
        case .string(let audience)?:
            guard settings.audiences.contains(audience) else { throw .invalidToken("token is not intended for this server (aud)") }
        case .array(let list)?:
            guard list.contains(where: { $0.stringValue.map(settings.audiences.contains) ?? false }) else {
                throw .invalidToken("token is not intended for this server (aud)")
            }
        default:
            throw .invalidToken("token has no aud")
        }

        for required in settings.requiredClaims {
            guard let value = claims[required.name], !value.isNull else {
                throw .invalidToken("token lacks required claim \(JWTRejection.echo(required.name))")
            }
            guard !required.values.isEmpty else { continue }
            let present = Self.values(of: value, separator: required.separator)
            let satisfied =
                required.matchAll
                ? required.values.allSatisfy(present.contains) : required.values.contains(where: present.contains)
            guard satisfied else { throw .invalidToken("claim \(JWTRejection.echo(required.name)) does not hold the required value") }
        }
        return (issuer, expiresAt)
    }

    /// Refuses with 403 `insufficient_scope` when a required scope is missing.
    func checkScopes(_ principal: JWTPrincipal) throws(JWTRejection) {
        guard !settings.requiredScopes.isEmpty else { return }
        let missing = settings.requiredScopes.filter { !principal.scopes.contains($0) }
        if !missing.isEmpty { throw .insufficientScope(missing) }
    }

    /// A NumericDate (RFC 7519 §2): a JSON number of seconds since the epoch.
    static func numericDate(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let i): Double(i)
        case .double(let d) where d.isFinite: d
        default: nil
        }
    }

    /// The string values a claim holds: a string (split on `separator` when given), an array's strings, or the
    /// text of a number or boolean.
    static func values(of value: JSONValue, separator: String?) -> Set<String> {
        switch value {
        case .string(let s):
            guard let separator, !separator.isEmpty else { return [s] }
            return Set(s.components(separatedBy: separator).filter { !$0.isEmpty })
        case .array(let list): return Set(list.compactMap(\.stringValue))
        case .int(let i): return [String(i)]
        case .bool(let b): return [b ? "true" : "false"]
        default: return []
        }
    }

    static func words(_ text: String) -> [String] {
        text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }
}
