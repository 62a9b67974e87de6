import Foundation
import HTTPTypes

extension PolicyEngine {
    /// Runs one access check (`validate-jwt`, `ip-filter`, `check-header`).
    func access(_ s: ScopedStatement, headers: HTTPFields, query: String?, context: inout PolicyContext) async -> PolicyRejection? {
        switch s.statement {
        case .ipFilter(let p):
            let address =
                p.trustedProxies.isEmpty
                ? context.clientAddress : clientAddress(peer: context.peerAddress, headers: headers, extraTrusted: p.trustedProxies)
            let parsed = IPAddressBytes(address)
            let listed = parsed.map { a in p.ranges.contains { $0.contains(a) } } ?? false
            if listed != p.allow {
                context.note(s, "refused \(address)")
                return reject(.forbidden, "Forbidden: client address \(address) is not allowed", policy: "ip-filter", scope: s.scope.description)
            }
            context.note(s, "allowed \(address)")
            return nil
        case .checkHeader(let p):
            let name = HTTPField.Name(p.name)!
            let values = headers[values: name]
            let ok: Bool
            if values.isEmpty {
                ok = false
            } else if p.values.isEmpty {
                ok = true
            } else {
                ok = values.allSatisfy { v in
                    p.values.contains { p.ignoreCase ? $0.caseInsensitiveCompare(v) == .orderedSame : $0 == v }
                }
            }
            if !ok {
                context.note(s, "refused")
                return reject(HTTPResponse.Status(code: p.failedStatus), p.failedMessage, policy: "check-header", scope: s.scope.description)
            }
            context.note(s, "passed")
            return nil
        case .validateJWT(let p):
            guard let validator = s.validator else { return nil }
            if let query, Self.queryCarriesToken(query) {
                let challenge = bearerChallenge(context, p)
                context.note(s, "refused: token in query string")
                return reject(
                    .badRequest, "Bad Request: access tokens must be sent in the Authorization header, never in the URL",
                    policy: "validate-jwt", scope: s.scope.description,
                    headers: [.wwwAuthenticate: challenge + ", error=\"invalid_request\""])
            }
            let authorization = headers[values: .authorization]
            let joined = authorization.isEmpty ? nil : authorization.joined(separator: ", ")
            switch await validator.validate(authorization: joined) {
            case .success(let principal):
                if let existing = context.principal, existing.issuer != principal.issuer || existing.subject != principal.subject {
                    return reject(.unauthorized, "token principal changed between policies", policy: "validate-jwt", scope: s.scope.description)
                }
                context.principal = principal
                context.note(s, "accepted sub=\(String((principal.subject ?? "-").prefix(60)))")
                return nil
            case .failure(let r):
                context.note(s, "refused: \(r.description)")
                var value = bearerChallenge(context, p)
                if let e = r.error { value += ", error=\"\(e)\"" }
                if r.error != nil { value += ", error_description=\"\(r.description.replacingOccurrences(of: "\"", with: "'"))\"" }
                let scopes = r.missingScopes.isEmpty ? p.settings.requiredScopes : r.missingScopes
                if !scopes.isEmpty { value += ", scope=\"\(scopes.joined(separator: " "))\"" }
                var data: JSONObject = [:]
                if !r.missingScopes.isEmpty { data["missingScopes"] = .array(r.missingScopes.map { .string($0) }) }
                let message =
                    r.status == 403
                    ? "Forbidden: \(r.description)" : r.status == 503 ? "Service Unavailable: \(r.description)" : "Unauthorized: \(r.description)"
                return reject(
                    HTTPResponse.Status(code: r.status), message, policy: "validate-jwt", scope: s.scope.description,
                    headers: r.status == 503 ? [.retryAfter: "30"] : [.wwwAuthenticate: value], data: data)
            }
        default:
            return nil
        }
    }

    func bearerChallenge(_ context: PolicyContext, _ p: ValidateJWTPolicy) -> String {
        var value = "Bearer"
        if let url = context.resourceMetadataURL { value += " resource_metadata=\"\(url)\"" }
        if !p.settings.requiredScopes.isEmpty {
            value += (value == "Bearer" ? " " : ", ") + "scope=\"\(p.settings.requiredScopes.joined(separator: " "))\""
        }
        return value
    }

    /// Whether a query string carries an access token (`access_token`, RFC 6750 §2.3).
    static func queryCarriesToken(_ query: String) -> Bool {
        query.split(separator: "&").contains { pair in
            let name = pair.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            return (name.removingPercentEncoding ?? name).lowercased() == "access_token"
        }
    }
}
