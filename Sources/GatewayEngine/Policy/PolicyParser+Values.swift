import Foundation

extension PolicyParser {
    func int(_ a: JSONObject, _ key: String, range: ClosedRange<Int>) throws(GatewayError) -> Int {
        let v: Int
        switch a[key] {
        case .int(let n)?: v = Int(n)
        case .double(let d)? where d == d.rounded() && abs(d) < 1e15: v = Int(d)
        case .string(let s)? where Int(s) != nil: v = Int(s)!
        case nil: throw fail("\(key): required")
        default: throw fail("\(key): expected an integer")
        }
        guard range.contains(v) else { throw fail("\(key): \(v) is outside \(range.lowerBound)…\(range.upperBound)") }
        return v
    }

    func string(_ a: JSONObject, _ key: String, required: Bool = true) throws(GatewayError) -> String? {
        switch a[key] {
        case .string(let s)?: return s
        case .int(let n)?: return String(n)
        case nil, .null?:
            if required { throw fail("\(key): required") }
            return nil
        default: throw fail("\(key): expected a string")
        }
    }

    func bool(_ a: JSONObject, _ key: String) throws(GatewayError) -> Bool? {
        switch a[key] {
        case .bool(let b)?: return b
        case .string("true")?: return true
        case .string("false")?: return false
        case nil, .null?: return nil
        default: throw fail("\(key): expected true or false")
        }
    }

    func strings(_ a: JSONObject, _ key: String) throws(GatewayError) -> [String]? {
        switch a[key] {
        case nil, .null?: return nil
        case .string(let s)?: return [s]
        case .array(let items)?:
            var out: [String] = []
            for item in items {
                switch item {
                case .string(let s): out.append(s)
                case .int(let n): out.append(String(n))
                default: throw fail("\(key): expected a list of strings")
                }
            }
            return out
        default: throw fail("\(key): expected a list of strings")
        }
    }

    func counterKey(_ a: JSONObject) throws(GatewayError) -> CounterKey {
        guard let text = try string(a, "counter-key", required: false) else { return .clientIP }
        guard !text.isEmpty, text.count <= 200 else { throw fail("counter-key: must be 1…200 characters") }
        return CounterKey(parsing: text)
    }

    func condition(_ a: JSONObject) throws(GatewayError) -> IncrementCondition {
        guard let text = try string(a, "increment-condition", required: false) else { return .any }
        guard let c = IncrementCondition(rawValue: text) else { throw fail("increment-condition: expected any or success") }
        return c
    }

    func methods(_ a: JSONObject) throws(GatewayError) -> MethodSelector {
        guard let list = try strings(a, "methods") else { return .toolCalls }
        if list == ["*"] || list == ["all"] { return .all }
        guard !list.isEmpty else { throw fail("methods: list at least one JSON-RPC method, or \"*\"") }
        return list == ["tools/call"] ? .toolCalls : .methods(Set(list))
    }

    func headerName(_ a: JSONObject) throws(GatewayError) -> String {
        let name = try string(a, "name")!
        let token = CharacterSet(charactersIn: "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !name.isEmpty, name.count <= 100, name.unicodeScalars.allSatisfy(token.contains) else {
            throw fail("name: '\(name.prefix(40))' is not a valid header name")
        }
        return name
    }

    func ipRanges(_ a: JSONObject, _ key: String, required: Bool) throws(GatewayError) -> [IPRange] {
        guard let list = try strings(a, key) else {
            if required { throw fail("\(key): required") }
            return []
        }
        var out: [IPRange] = []
        for text in list {
            guard let r = IPRange(text) else { throw fail("\(key): '\(text.prefix(60))' is not an address, a from-to range or a CIDR block") }
            out.append(r)
        }
        return out
    }

    func jwt(_ a: JSONObject) throws(GatewayError) -> ValidateJWTPolicy {
        var s = JWTValidationSettings()
        s.openIDConfigURL = try string(a, "openid-config", required: false)
        s.jwksURI = try string(a, "jwks-uri", required: false)
        switch a["keys"] {
        case nil, .null?: break
        case .array(let keys)?:
            for k in keys {
                guard case .object = k else { throw fail("keys: each key is a JWK mapping (kty, kid, alg, …)") }
                s.inlineKeys.append(k.jsonString)
            }
        default: throw fail("keys: expected a list of JWKs")
        }
        guard s.openIDConfigURL != nil || s.jwksURI != nil || !s.inlineKeys.isEmpty else {
            throw fail("name where the signing keys come from: openid-config, jwks-uri or keys")
        }
        for url in [s.openIDConfigURL, s.jwksURI].compactMap({ $0 }) {
            guard AddressGuard.isHTTPURL(url), URL(string: url)?.host != nil else { throw fail("'\(url.prefix(80))' is not an http(s) URL") }
        }
        s.audiences = try strings(a, "audiences") ?? []
        guard !s.audiences.isEmpty else { throw fail("audiences: list the audience(s) tokens must be issued for (the server's resource URI)") }
        s.issuers = try strings(a, "issuers") ?? []
        guard !s.issuers.isEmpty || s.openIDConfigURL != nil else { throw fail("issuers: required unless openid-config names the issuer") }
        s.requiredScopes = try strings(a, "required-scopes") ?? []
        if a["clock-skew"] != nil { s.clockSkew = try int(a, "clock-skew", range: 0...300) }
        s.requireExpirationTime = try bool(a, "require-expiration-time") ?? true
        s.allowPrivateNetwork = try bool(a, "allow-private-network") ?? false
        if let algs = try strings(a, "algorithms") {
            let known: Set<String> = [
                "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "HS256", "HS384", "HS512",
            ]
            for alg in algs where !known.contains(alg) { throw fail("algorithms: '\(alg.prefix(20))' is not supported") }
            s.allowedAlgorithms = algs
        }
        switch a["required-claims"] {
        case nil, .null?: break
        case .array(let claims)?:
            for c in claims {
                guard case .object(let o) = c, case .string(let name)? = o["name"] else {
                    throw fail("required-claims: each entry needs a name (and optional values, match: all|any)")
                }
                let match = o["match"]?.stringValue ?? "all"
                guard match == "all" || match == "any" else { throw fail("required-claims: match is all or any") }
                s.requiredClaims.append(.init(name: name, values: try strings(o, "values") ?? [], matchAll: match == "all"))
            }
        default: throw fail("required-claims: expected a list")
        }
        let servers = try strings(a, "authorization-servers") ?? s.issuers
        return ValidateJWTPolicy(settings: s, resource: try string(a, "resource", required: false), authorizationServers: servers)
    }
}
