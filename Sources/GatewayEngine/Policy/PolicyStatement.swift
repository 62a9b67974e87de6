/// One policy in a document section, named as in Azure API Management.
enum PolicyStatement: Sendable, Hashable {
    case rateLimit(RateLimitPolicy)
    case quota(QuotaPolicy)
    case validateJWT(ValidateJWTPolicy)
    case ipFilter(IPFilterPolicy)
    case cacheLookup(CacheLookupPolicy)
    case cacheStore(CacheStorePolicy)
    case setHeader(SetHeaderPolicy)
    case checkHeader(CheckHeaderPolicy)
    case authorizationContext(AuthorizationContextPolicy)

    /// The policy's name as written in documents (`rate-limit-by-key`, `validate-jwt`, …).
    var kindName: String {
        switch self {
        case .rateLimit(let p): p.subscriptionScoped ? "rate-limit" : "rate-limit-by-key"
        case .quota(let p): p.subscriptionScoped ? "quota" : "quota-by-key"
        case .validateJWT: "validate-jwt"
        case .ipFilter: "ip-filter"
        case .cacheLookup: "cache-lookup"
        case .cacheStore: "cache-store"
        case .setHeader: "set-header"
        case .checkHeader: "check-header"
        case .authorizationContext: "get-authorization-context"
        }
    }

    /// Whether the policy guards access (runs on every request in its scope, before anything is counted).
    var isAccessCheck: Bool {
        switch self {
        case .validateJWT, .ipFilter, .checkHeader: true
        default: false
        }
    }
}

/// Which JSON-RPC methods a counting policy counts. Default: tool invocations only, as the MCP spec asks.
enum MethodSelector: Sendable, Hashable {
    case toolCalls
    case all
    case methods(Set<String>)

    func matches(_ method: String) -> Bool {
        switch self {
        case .toolCalls: method == "tools/call"
        case .all: true
        case .methods(let set): set.contains(method)
        }
    }
}

/// What a `counter-key` names. The key is never empty: a missing subscription, claim or header falls back to
/// the client address.
enum CounterKey: Sendable, Hashable, CustomStringConvertible {
    case clientIP
    case subscription
    case jwtClaim(String)
    case header(String)
    case fixed(String)

    init(parsing text: String) {
        if text == "client-ip" {
            self = .clientIP
        } else if text == "subscription" {
            self = .subscription
        } else if text.hasPrefix("jwt:"), text.count > 4 {
            self = .jwtClaim(String(text.dropFirst(4)))
        } else if text.hasPrefix("header:"), text.count > 7 {
            self = .header(String(text.dropFirst(7)).lowercased())
        } else {
            self = .fixed(text)
        }
    }

    var description: String {
        switch self {
        case .clientIP: "client-ip"
        case .subscription: "subscription"
        case .jwtClaim(let c): "jwt:\(c)"
        case .header(let h): "header:\(h)"
        case .fixed(let f): f
        }
    }
}

/// When a counted call keeps its count.
enum IncrementCondition: String, Sendable, Hashable {
    /// Every admitted call counts.
    case any
    /// Only calls that succeed count (no JSON-RPC error, no `isError` result); others are given back.
    case success
}

/// `rate-limit` (per subscription) and `rate-limit-by-key`: at most `calls` in any `renewalPeriod` seconds
/// (a sliding window), counted in memory, exact on one node.
struct RateLimitPolicy: Sendable, Hashable {
    var calls: Int
    var renewalPeriod: Int
    var counterKey: CounterKey
    var subscriptionScoped: Bool
    var incrementCondition: IncrementCondition = .any
    var methods: MethodSelector = .toolCalls
}

/// `quota` (per subscription) and `quota-by-key`: at most `calls` per fixed window of `renewalPeriod` seconds
/// (0 = never renews), counted in SQLite so that counts survive restarts.
struct QuotaPolicy: Sendable, Hashable {
    var calls: Int
    var renewalPeriod: Int
    var counterKey: CounterKey
    var subscriptionScoped: Bool
    var incrementCondition: IncrementCondition = .any
    var methods: MethodSelector = .toolCalls
    /// Unix seconds the windows are aligned to (API Management's `first-period-start`, default 0001-01-01).
    var firstPeriodStart: Int64 = -62_135_596_800
}

/// `validate-jwt`: bearer tokens checked against an identity provider's keys.
struct ValidateJWTPolicy: Sendable, Hashable {
    var settings: JWTValidationSettings
    /// The protected resource URI announced in RFC 9728 metadata; default: the endpoint's own URL.
    var resource: String?
    /// Authorization servers announced in the metadata; default: the issuers.
    var authorizationServers: [String]
}

/// `ip-filter`: allow or forbid client addresses.
struct IPFilterPolicy: Sendable, Hashable {
    var allow: Bool
    var ranges: [IPRange]
    /// Proxies whose `X-Forwarded-For` is believed (with the engine-wide ones).
    var trustedProxies: [IPRange]
}

/// `cache-lookup`: serve `tools/list` and GET-backed tool results from the response cache.
struct CacheLookupPolicy: Sendable, Hashable {
    /// Share entries between principals (only for data that is the same for everyone).
    var isPublic: Bool = false
}

/// `cache-store`: keep successful results for `duration` seconds.
struct CacheStorePolicy: Sendable, Hashable {
    var duration: Int
}

/// `set-header`: a header on the backend request.
struct SetHeaderPolicy: Sendable, Hashable {
    enum ExistsAction: String, Sendable, Hashable { case override, skip, append, delete }
    var name: String
    /// The value; may use `{{client-ip}}`, `{{subscription}}`, `{{principal}}` and `{{jwt:<claim>}}`.
    var value: String
    var existsAction: ExistsAction = .override
}

/// `get-authorization-context`: fetches a credential connection's current token (or key) into a context variable
/// that later `set-header` values use as `{{var:<name>}}`, as in API Management.
public struct AuthorizationContextPolicy: Sendable, Hashable {
    /// The credential connection.
    public var connection: String
    /// The variable that receives the token.
    public var variable: String
    /// Continue without the variable when the token cannot be obtained (default: refuse the call).
    var ignoreError: Bool = false
}

/// `check-header`: the request must carry a header (with one of the listed values, when given).
struct CheckHeaderPolicy: Sendable, Hashable {
    var name: String
    var values: [String]
    var ignoreCase: Bool = false
    var failedStatus: Int = 403
    var failedMessage: String
}
