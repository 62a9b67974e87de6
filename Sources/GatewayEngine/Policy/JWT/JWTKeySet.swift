import Logging

/// A set of verification keys and the rule that picks one for a token.
struct JWTKeySet: Sendable {
    var keys: [JWTVerificationKey]

    /// The outcome of picking a key for a token's `kid` and `alg`.
    enum Selection: Sendable {
        /// Exactly one key fits.
        case key(JWTVerificationKey)
        /// No key has the token's `kid` (or, without a `kid`, none is usable for the `alg`).
        case unknownKey
        /// Keys with the token's `kid` exist, but none is used with the token's `alg`.
        case algorithmMismatch
        /// More than one key fits, so none is chosen.
        case ambiguous
    }

    /// Picks the key: by `kid` when the token has one (never another key), otherwise the only key usable for `alg`.
    func select(kid: String?, alg: String) -> Selection {
        var match: JWTVerificationKey?
        var sawKid = false
        for key in keys {
            if let kid {
                guard key.kid == kid else { continue }
                sawKid = true
            }
            guard key.alg == alg else { continue }
            if match != nil { return .ambiguous }
            match = key
        }
        if let match { return .key(match) }
        return kid != nil && sawKid ? .algorithmMismatch : .unknownKey
    }

    /// Builds the usable keys of a JWKS document (`{"keys": [...]}`) or of one JWK object, logging those refused.
    /// At most `limit` keys are read.
    static func build(from document: JSONValue, allowSymmetric: Bool, source: String, logger: Logger, limit: Int = 100) async -> [JWTVerificationKey]
    {
        let objects: [JSONValue]
        if case .array(let list)? = document["keys"] {
            objects = list
        } else if document["kty"] != nil {
            objects = [document]
        } else {
            logger.warning("signing key document has no keys array", metadata: ["url": "\(source)"])
            return []
        }
        if objects.count > limit {
            logger.warning("signing key set has \(objects.count) keys; only the first \(limit) are read", metadata: ["url": "\(source)"])
        }
        var out: [JWTVerificationKey] = []
        for object in objects.prefix(limit) {
            let kid = object["kid"]?.stringValue.map(JWTRejection.echo) ?? "-"
            do {
                guard case .object(let jwk) = object else { throw JWKDescription.Refusal("JWK is not an object") }
                let description = try JWKDescription.parse(jwk, allowSymmetric: allowSymmetric)
                out.append(try await description.makeKey())
            } catch {
                logger.warning("signing key skipped: \(error)", metadata: ["url": "\(source)", "kid": "\(kid)"])
            }
        }
        return out
    }
}
