import Foundation
import HTTPTypes

/// What the policy stages learned and reserved for one request: the principal, the counts to give back if the
/// request is refused later, the headers to add to the backend request and the response, and the decisions
/// recorded for operators.
public struct PolicyContext: Sendable {
    /// The client's address after trusted-proxy resolution.
    public var clientAddress: String
    /// The TCP peer's address.
    public var peerAddress: String
    /// The RFC 9728 metadata URL announced in `WWW-Authenticate` challenges.
    public var resourceMetadataURL: String?
    /// The validated bearer token's principal, when a `validate-jwt` policy ran.
    public var principal: JWTPrincipal?
    /// The subscription whose key the request presented.
    public var subscription: CompiledSubscription?
    /// Every decision, in order (`rate-limit-by-key@server:pets allowed (remaining 4)`).
    public var decisions: [String] = []

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

    public init(clientAddress: String, peerAddress: String? = nil) {
        self.clientAddress = clientAddress
        self.peerAddress = peerAddress ?? clientAddress
    }

    /// Who is calling, for binding sessions and keying caches: the token's issuer and subject, else the
    /// subscription, else empty (anonymous).
    public var principalKey: String {
        if let p = principal { return "jwt:\(p.issuer ?? "")|\(p.subject ?? "")" }
        if let s = subscription { return "sub:\(s.name)" }
        return ""
    }

    /// A short name for the request record.
    public var principalLabel: String? {
        if let p = principal { return p.subject.map { "jwt:\(String($0.prefix(60)))" } ?? "jwt" }
        if let s = subscription { return "subscription:\(s.name)" }
        return nil
    }

    mutating func note(_ statement: ScopedStatement, _ text: String) {
        if decisions.count < 32 { decisions.append("\(statement.statement.kindName)@\(statement.scope) \(text)") }
    }
}

/// A request refused by a policy: the HTTP status and headers, and the JSON-RPC error carrying the same reason.
public struct PolicyRejection: Error, Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var message: String
    /// The policy that refused (`rate-limit-by-key`, `subscription`, …) and its scope.
    public var policy: String
    public var scope: String
    /// Extra data for the JSON-RPC error (`retryAfter`, …).
    public var data: JSONObject = [:]
}

/// A subscription as the engine serves it.
public struct CompiledSubscription: Sendable, Hashable {
    public var name: String
    public var active: Bool
    public var expiresAt: Date?
    /// Server names the key opens; nil for all.
    public var servers: Set<String>?
}
