import Foundation
import HTTPTypes

/// What the policy stages learned and reserved for one request: the principal, the counts to give back if the
/// request is refused later, the headers to add to the backend request and the response, and the decisions
/// recorded for operators.
struct PolicyContext: Sendable {
    /// The client's address after trusted-proxy resolution.
    var clientAddress: String
    /// The TCP peer's address.
    var peerAddress: String
    /// The RFC 9728 metadata URL announced in `WWW-Authenticate` challenges.
    var resourceMetadataURL: String?
    /// The validated bearer token's principal, when a `validate-jwt` policy ran.
    var principal: JWTPrincipal?
    /// The subscription whose key the request presented.
    var subscription: CompiledSubscription?
    /// Every decision, in order (`rate-limit-by-key@server:pets allowed (remaining 4)`).
    var decisions: [String] = []

    struct RateReservation: Sendable {
        var key: String
        var stamp: UInt64
        var condition: IncrementCondition
    }

    struct QuotaReservation: Sendable {
        var key: String
        var periodStart: Int64
        var condition: IncrementCondition
    }

    var rateReservations: [RateReservation] = []
    var quotaReservations: [QuotaReservation] = []
    /// Quota counts this request already holds, by counter identity (a key counted at two scopes counts once).
    var quotaCounts: [String: Int] = [:]
    /// Headers for the response to the client (`RateLimit-*`).
    var responseHeaders: HTTPFields = [:]
    /// `set-header` policies to apply to the backend request, resolved.
    var backendHeaders: [(name: String, value: String, action: SetHeaderPolicy.ExistsAction)] = []
    /// Variables set by `get-authorization-context` (tokens: masked when printed).
    var variables: [String: SecretValue] = [:]
    var cacheLookup: CacheLookupPolicy?
    var cacheTTL: Int?
    /// The request's headers and origin, for `/registry/mcp` tool calls (which servers the caller may call).
    var registryRequest: RegistryRequestInfo?

    init(clientAddress: String, peerAddress: String? = nil) {
        self.clientAddress = clientAddress
        self.peerAddress = peerAddress ?? clientAddress
    }

    /// Who is calling, for binding sessions and keying caches: the token's issuer and subject, else the
    /// subscription, else empty (anonymous).
    var principalKey: String {
        if let p = principal { return "jwt:\(p.issuer ?? "")|\(p.subject ?? "")" }
        if let s = subscription { return "sub:\(s.name)" }
        return ""
    }

    /// A short name for the request record.
    var principalLabel: String? {
        if let p = principal { return p.subject.map { "jwt:\(String($0.prefix(60)))" } ?? "jwt" }
        if let s = subscription { return "subscription:\(s.name)" }
        return nil
    }

    mutating func note(_ statement: ScopedStatement, _ text: String) {
        if decisions.count < 32 { decisions.append("\(statement.statement.kindName)@\(statement.scope) \(text)") }
    }
}

/// A request refused by a policy: the HTTP status and headers, and the JSON-RPC error carrying the same reason.
struct PolicyRejection: Error, Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var message: String
    /// The policy that refused (`rate-limit-by-key`, `subscription`, …) and its scope.
    var policy: String
    var scope: String
    /// Extra data for the JSON-RPC error (`retryAfter`, …).
    var data: JSONObject = [:]
}

/// A subscription as the engine serves it.
struct CompiledSubscription: Sendable, Hashable {
    var name: String
    var active: Bool
    var expiresAt: Date?
    /// Server names the key opens; nil for all.
    var servers: Set<String>?
}
