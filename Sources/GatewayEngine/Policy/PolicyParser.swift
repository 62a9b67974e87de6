import Foundation

/// Reads policy statements from a document's JSON tree, naming the exact place of every mistake.
struct PolicyParser {
    let source: String

    /// The attributes each policy accepts.
    static let attributes: [String: Set<String>] = [
        "rate-limit": ["calls", "renewal-period", "increment-condition", "methods"],
        "rate-limit-by-key": ["calls", "renewal-period", "counter-key", "increment-condition", "methods"],
        "quota": ["calls", "renewal-period", "increment-condition", "methods", "first-period-start"],
        "quota-by-key": ["calls", "renewal-period", "counter-key", "increment-condition", "methods", "first-period-start"],
        "validate-jwt": [
            "openid-config", "jwks-uri", "keys", "audiences", "issuers", "required-claims", "required-scopes", "clock-skew",
            "require-expiration-time", "algorithms", "allow-private-network", "resource", "authorization-servers",
        ],
        "ip-filter": ["action", "addresses", "trusted-proxies"],
        "cache-lookup": ["public"],
        "cache-store": ["duration"],
        "set-header": ["name", "value", "exists-action"],
        "check-header": ["name", "values", "ignore-case", "failed-check-httpcode", "failed-check-error-message"],
        "get-authorization-context": ["connection", "context-variable-name", "ignore-error"],
    ]

    static let inboundOnly: Set<String> = [
        "rate-limit", "rate-limit-by-key", "quota", "quota-by-key", "validate-jwt", "ip-filter", "cache-lookup", "set-header", "check-header",
        "get-authorization-context",
    ]

    /// Headers a `set-header` policy may not touch: they frame the request or carry the client's identity.
    static let reservedHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "upgrade", "te", "trailer", "keep-alive", "proxy-connection",
        "gatehouse-subscription-key",
    ]

    private var location = ""

    init(source: String) { self.source = source }

    func fail(_ message: String) -> GatewayError {
        GatewayError(.invalidConfig, message, location: "\(source): \(location)")
    }

    mutating func section(_ value: JSONValue?, name: String) throws(GatewayError) -> [PolicyStatement] {
        guard let value, value != .null else { return [] }
        location = name
        guard case .array(let items) = value else { throw fail("must be a list of policies") }
        var out: [PolicyStatement] = []
        var seenOnce = Set<String>()
        for (i, item) in items.enumerated() {
            location = "\(name)[\(i)]"
            guard case .object(let o) = item, o.keys.count == 1, let kind = o.keys.first else {
                throw fail("each policy is a mapping with one key, the policy name (e.g. `- rate-limit-by-key: {calls: 5, renewal-period: 30}`)")
            }
            guard let allowed = Self.attributes[kind] else {
                throw fail("unknown policy '\(kind.prefix(60))'; known: \(Self.attributes.keys.sorted().joined(separator: ", "))")
            }
            location += ".\(kind)"
            if name == "inbound", kind == "cache-store" { throw fail("cache-store belongs in the outbound section") }
            if name == "outbound", Self.inboundOnly.contains(kind) { throw fail("\(kind) belongs in the inbound section") }
            if ["cache-lookup", "cache-store", "rate-limit", "quota"].contains(kind), !seenOnce.insert(kind).inserted {
                throw fail("\(kind) may appear only once per section")
            }
            var attributes = JSONObject()
            switch o[kind] {
            case nil, .null?: break
            case .object(let a)?: attributes = a
            default: throw fail("attributes must be a mapping")
            }
            for key in attributes.keys where !allowed.contains(key) {
                throw fail("unknown attribute '\(key.prefix(60))'; \(kind) takes \(allowed.sorted().joined(separator: ", "))")
            }
            out.append(try statement(kind, attributes))
        }
        return out
    }

    func statement(_ kind: String, _ a: JSONObject) throws(GatewayError) -> PolicyStatement {
        switch kind {
        case "rate-limit", "rate-limit-by-key":
            let byKey = kind == "rate-limit-by-key"
            let p = RateLimitPolicy(
                calls: try int(a, "calls", range: 1...10_000_000),
                renewalPeriod: try int(a, "renewal-period", range: 1...86_400),
                counterKey: byKey ? try counterKey(a) : .subscription, subscriptionScoped: !byKey,
                incrementCondition: try condition(a), methods: try methods(a))
            return .rateLimit(p)
        case "quota", "quota-by-key":
            let byKey = kind == "quota-by-key"
            var p = QuotaPolicy(
                calls: try int(a, "calls", range: 1...Int(Int32.max)),
                renewalPeriod: try int(a, "renewal-period", range: 0...(366 * 86_400)),
                counterKey: byKey ? try counterKey(a) : .subscription, subscriptionScoped: !byKey,
                incrementCondition: try condition(a), methods: try methods(a))
            if let start = try string(a, "first-period-start", required: false) {
                guard let date = ISO8601DateFormatter().date(from: start) else {
                    throw fail("first-period-start: expected an ISO 8601 time such as 2026-01-01T00:00:00Z")
                }
                p.firstPeriodStart = Int64(date.timeIntervalSince1970)
            }
            return .quota(p)
        case "validate-jwt":
            return .validateJWT(try jwt(a))
        case "ip-filter":
            let action = try string(a, "action")!
            guard action == "allow" || action == "forbid" else { throw fail("action: expected allow or forbid") }
            let ranges = try ipRanges(a, "addresses", required: true)
            guard !ranges.isEmpty else { throw fail("addresses: list at least one address, range or CIDR block") }
            return .ipFilter(
                IPFilterPolicy(allow: action == "allow", ranges: ranges, trustedProxies: try ipRanges(a, "trusted-proxies", required: false)))
        case "cache-lookup":
            return .cacheLookup(CacheLookupPolicy(isPublic: try bool(a, "public") ?? false))
        case "cache-store":
            return .cacheStore(CacheStorePolicy(duration: try int(a, "duration", range: 1...86_400)))
        case "set-header":
            let name = try headerName(a)
            guard !Self.reservedHeaders.contains(name.lowercased()) else { throw fail("name: \(name) cannot be set by a policy") }
            var p = SetHeaderPolicy(name: name, value: try string(a, "value", required: false) ?? "")
            if let action = try string(a, "exists-action", required: false) {
                guard let e = SetHeaderPolicy.ExistsAction(rawValue: action) else {
                    throw fail("exists-action: expected override, skip, append or delete")
                }
                p.existsAction = e
            }
            guard p.existsAction == .delete || !p.value.isEmpty else { throw fail("value: required unless exists-action is delete") }
            guard !p.value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) else {
                throw fail("value: must not contain line breaks")
            }
            return .setHeader(p)
        case "check-header":
            let name = try headerName(a)
            var p = CheckHeaderPolicy(name: name, values: try strings(a, "values") ?? [], failedMessage: "header \(name) check failed")
            p.ignoreCase = try bool(a, "ignore-case") ?? false
            if a["failed-check-httpcode"] != nil { p.failedStatus = try int(a, "failed-check-httpcode", range: 400...499) }
            if let m = try string(a, "failed-check-error-message", required: false) { p.failedMessage = m }
            return .checkHeader(p)
        case "get-authorization-context":
            let connection = try string(a, "connection")!
            let variable = try string(a, "context-variable-name", required: false) ?? "authorization"
            guard !connection.isEmpty, variable.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }), !variable.isEmpty else {
                throw fail("context-variable-name: letters, digits, '-' and '_' only")
            }
            return .authorizationContext(
                AuthorizationContextPolicy(connection: connection, variable: variable, ignoreError: try bool(a, "ignore-error") ?? false))
        default:
            throw fail("unknown policy '\(kind)'")
        }
    }
}
