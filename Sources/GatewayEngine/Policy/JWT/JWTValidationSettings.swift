/// How a `validate-jwt` policy checks bearer tokens: where the signing keys come from and what the token must say.
///
/// Keys come from an OpenID configuration document (its `jwks_uri`, and its `issuer` when ``issuers`` is empty),
/// from a JWKS URL, from inline JWKs, or from inline keys plus one of the remote sources.
struct JWTValidationSettings: Sendable, Hashable {
    /// A claim a token must carry, optionally with the values it must (all, or any one of) contain.
    struct RequiredClaim: Sendable, Hashable {
        /// The claim's name in the payload.
        var name: String
        /// The values to look for; empty means only presence is required.
        var values: [String]
        /// `true`: the claim must contain every value; `false`: at least one.
        var matchAll: Bool
        /// When set, a string claim is split on this separator before matching (for example `" "` for `scope`-like
        /// claims); when nil a string claim is one value.
        var separator: String?

        /// A required claim; with no `values` only its presence (and not `null`) is required.
        init(name: String, values: [String] = [], matchAll: Bool = true, separator: String? = nil) {
            self.name = name
            self.values = values
            self.matchAll = matchAll
            self.separator = separator
        }
    }

    /// The URL of an OpenID Connect discovery (or RFC 8414 metadata) document; its `jwks_uri` names the key set,
    /// and its `issuer` is the expected issuer when ``issuers`` is empty.
    var openIDConfigURL: String?
    /// The URL of the JSON Web Key Set; takes precedence over the discovery document's `jwks_uri`.
    var jwksURI: String?
    /// JWK objects as JSON text: RSA, EC, OKP (Ed25519), or `oct` (HS256/384/512, secret at least 256 bits and at
    /// least the hash size). Symmetric keys are only ever accepted from here, never from a fetched key set.
    var inlineKeys: [String]
    /// The token's `aud` (a string or an array) must contain one of these.
    var audiences: [String]
    /// The token's `iss` must equal one of these exactly; when empty, the discovery document's issuer is used.
    var issuers: [String]
    /// Claims the token must carry.
    var requiredClaims: [RequiredClaim]
    /// Scopes the token must grant (from `scope`, space-separated, or `scp`, a string or an array); a missing one
    /// answers 403 `insufficient_scope`.
    var requiredScopes: [String]
    /// Leeway in seconds applied to `exp`, `nbf` and `iat`.
    var clockSkew: Int
    /// Whether a token without `exp` is refused.
    var requireExpirationTime: Bool
    /// The JOSE `alg` values accepted. `none` is always refused; `HS*` also needs a matching inline `oct` key.
    var allowedAlgorithms: [String]
    /// Whether the identity provider may be on a loopback or private network (and then reached over plain http).
    var allowPrivateNetwork: Bool

    /// The algorithms accepted by default: every asymmetric algorithm, no `HS*`.
    static let defaultAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]

    /// Settings with the given values; the defaults accept asymmetric algorithms only, require `exp`, allow no
    /// clock skew and refuse identity providers on private networks.
    init(
        openIDConfigURL: String? = nil,
        jwksURI: String? = nil,
        inlineKeys: [String] = [],
        audiences: [String] = [],
        issuers: [String] = [],
        requiredClaims: [RequiredClaim] = [],
        requiredScopes: [String] = [],
        clockSkew: Int = 0,
        requireExpirationTime: Bool = true,
        allowedAlgorithms: [String] = JWTValidationSettings.defaultAlgorithms,
        allowPrivateNetwork: Bool = false
    ) {
        self.openIDConfigURL = openIDConfigURL
        self.jwksURI = jwksURI
        self.inlineKeys = inlineKeys
        self.audiences = audiences
        self.issuers = issuers
        self.requiredClaims = requiredClaims
        self.requiredScopes = requiredScopes
        self.clockSkew = clockSkew
        self.requireExpirationTime = requireExpirationTime
        self.allowedAlgorithms = allowedAlgorithms
        self.allowPrivateNetwork = allowPrivateNetwork
    }

    /// Whether keys are fetched over the network (as opposed to inline keys only).
    var hasRemoteKeys: Bool { openIDConfigURL != nil || jwksURI != nil }
}
