import Crypto
import Foundation
import Logging

/// Validates bearer tokens for one `validate-jwt` policy: an OAuth 2.1 resource server's access-token check
/// (RFC 9068 profile, RFC 8725 practices).
///
/// Order of checks: the `Authorization` header and the token's shape (no key lookup yet); the verified-token cache;
/// the JOSE header (`alg` allowed and never `none`, `kid`, `typ`, no `crit`; `jku`/`x5u`/`jwk`/`x5c` ignored); the
/// key (by `kid` only, the JWK's single algorithm equal to `alg`); the signature (jwt-kit, with that key alone); the
/// claims (`exp`, `nbf`, `iat` with the clock skew, `iss`, `aud`, required claims); the scopes.
///
/// A verified token's principal is cached (10 000 entries, keyed by SHA-256 of the token) until min(`exp`, 5 min);
/// on a hit only the claim and scope checks run again, so a repeated token costs a few microseconds.
final class JWTValidator: Sendable {
    /// The largest token accepted: 8 KiB.
    static let maxTokenBytes = 8 * 1024

    let settings: JWTValidationSettings
    let keys: JWKSCache
    let verified: VerifiedTokenCache
    let logger: Logger
    let now: @Sendable () -> Date
    let allowedAlgorithms: Set<String>

    /// Creates a validator. `now` is the clock used for claims and for every cache lifetime.
    init(settings: JWTValidationSettings, fetcher: any JWKSFetching, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.logger = logger
        self.now = now
        self.keys = JWKSCache(settings: settings, fetcher: fetcher, logger: logger, now: now)
        self.verified = VerifiedTokenCache()
        self.allowedAlgorithms = Set(settings.allowedAlgorithms.filter { $0.lowercased() != "none" })
    }

    /// Validates the bearer token in an `Authorization` header.
    ///
    /// `authorization` is the raw header value, multiple field lines joined as `HTTPFields` gives them (`", "`), or
    /// nil when the header is absent.
    func validate(authorization: String?) async -> Result<JWTPrincipal, JWTRejection> {
        let token: [UInt8]
        switch Self.bearerToken(authorization) {
        case .success(let t): token = t
        case .failure(let rejection): return .failure(rejection)
        }
        let digest = SHA256.hash(data: token)
        let t = now()
        do throws(JWTRejection) {
            let principal: JWTPrincipal
            if let cached = verified.principal(for: digest, at: t) {
                _ = try checkClaimValues(cached.claims, at: t)
                principal = cached
            } else {
                principal = try await verify(token, at: t)
                verified.insert(principal, for: digest, at: t)
            }
            try checkScopes(principal)
            return .success(principal)
        } catch {
            logger.debug("bearer token refused", metadata: ["status": "\(error.status)", "reason": "\(error.description)"])
            return .failure(error)
        }
    }

    /// Verifies a token not seen before: header, key, signature, claims.
    func verify(_ token: [UInt8], at t: Date) async throws(JWTRejection) -> JWTPrincipal {
        let parts = try Self.split(token)
        let header = try Self.decodeObject(parts.header, what: "header")
        let jose = try checkHeader(header)
        let payload = try Self.decodeObject(parts.payload, what: "payload")
        guard !parts.signature.isEmpty else { throw .invalidToken("token has no signature") }
        guard let signature = Base64URL.decode(parts.signature) else { throw .invalidToken("signature is not base64url") }

        switch await keys.lookup(kid: jose.kid, alg: jose.alg) {
        case .found(let key):
            guard key.verify(signature: signature, signingInput: parts.signingInput) else {
                throw .invalidToken("signature verification failed")
            }
        case .unavailable:
            throw JWTRejection.keysUnavailable
        case .refused(let selection):
            throw Self.rejection(for: selection, kid: jose.kid, alg: jose.alg)
        }
        return try checkClaims(payload, at: t)
    }

    static func rejection(for selection: JWTKeySet.Selection, kid: String?, alg: String) -> JWTRejection {
        let named = kid.map { "'\(JWTRejection.echo($0))'" } ?? "(no kid)"
        switch selection {
        case .algorithmMismatch: return .invalidToken("signing key \(named) is not used with \(JWTRejection.echo(alg))")
        case .ambiguous: return .invalidToken("more than one signing key fits; the token must name its kid")
        case .unknownKey, .key:
            return kid == nil
                ? .invalidToken("no signing key for \(JWTRejection.echo(alg)); the token must name its kid")
                : .invalidToken("unknown signing key \(named)")
        }
    }
}
