import Crypto
import Foundation
import HTTPTypes
import Logging
import Store

/// Runs policies for the engine. Stateless between requests except for its counters, cache and validators:
/// ``requestStage(_:server:subscriptions:headers:query:context:)`` checks access on every HTTP request to a server,
/// ``messageStage(_:method:tool:headers:query:context:)`` counts and prepares every JSON-RPC request, and
/// ``complete(_:succeeded:)`` settles the counts once the outcome is known.
final class PolicyEngine: Sendable {
    let rateLimiter: RateLimiter
    let cache: ResponseCache
    let store: GatewayStore
    let monitor: RequestMonitor
    let logger: Logger
    let clock: PolicyClock
    /// Proxies whose `X-Forwarded-For` is believed everywhere.
    let trustedProxies: [IPRange]
    /// Outbound credentials, for `get-authorization-context`.
    let credentials: CredentialManager?

    /// The header that carries subscription keys.
    static let subscriptionHeader = HTTPField.Name("Gatehouse-Subscription-Key")!

    init(
        store: GatewayStore, monitor: RequestMonitor, logger: Logger, clock: PolicyClock, trustedProxies: [IPRange],
        credentials: CredentialManager? = nil
    ) {
        self.credentials = credentials
        self.store = store
        self.monitor = monitor
        self.logger = logger
        self.clock = clock
        self.trustedProxies = trustedProxies
        rateLimiter = RateLimiter()
        cache = ResponseCache()
    }

    /// The SHA-256 of a subscription key, lowercase hex (what the store keeps).
    static func hashKey(_ key: String) -> String {
        Hex.sha256(key)
    }

    /// Resolves the client address: the peer, unless the peer is a trusted proxy, in which case the right-most
    /// `X-Forwarded-For` hop that is not itself trusted.
    func clientAddress(peer: String, headers: HTTPFields, extraTrusted: [IPRange] = []) -> String {
        let trusted = trustedProxies + extraTrusted
        guard !trusted.isEmpty, let peerAddress = IPAddressBytes(peer), trusted.contains(where: { $0.contains(peerAddress) }) else { return peer }
        let hops = headers[values: HTTPField.Name("X-Forwarded-For")!].flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        for hop in hops.reversed() {
            guard let a = IPAddressBytes(hop) else { return hop.isEmpty ? peer : String(hop.prefix(64)) }
            if !trusted.contains(where: { $0.contains(a) }) { return a.description }
        }
        return hops.first.flatMap { IPAddressBytes($0)?.description } ?? peer
    }

    // MARK: Request stage

    /// Checks the subscription key and the global and server access policies. Returns the refusal, if any.
    func requestStage(
        _ policies: ServerPolicies, server: String, subscriptions: [String: CompiledSubscription], headers: HTTPFields, query: String?,
        context: inout PolicyContext
    ) async -> PolicyRejection? {
        if let reason = policies.broken {
            return reject(
                .serviceUnavailable, "server '\(server)' is closed: a policy document is invalid (\(reason))", policy: "policy",
                scope: "server:\(server)")
        }
        if let refusal = checkSubscription(policies, server: server, subscriptions: subscriptions, headers: headers, context: &context) {
            return refusal
        }
        for statement in policies.requestStage {
            if let refusal = await access(statement, headers: headers, query: query, context: &context) { return refusal }
        }
        if policies.requireIdentity, context.principal == nil, context.subscription == nil {
            return reject(
                .unauthorized, "Unauthorized: identify with a Gatehouse-Subscription-Key (or a token the registry accepts); anonymous reading is off",
                policy: "registry", scope: "registry")
        }
        return nil
    }

    func checkSubscription(
        _ policies: ServerPolicies, server: String, subscriptions: [String: CompiledSubscription], headers: HTTPFields, context: inout PolicyContext
    ) -> PolicyRejection? {
        let values = headers[values: Self.subscriptionHeader]
        guard let key = values.first else {
            guard policies.requireSubscription else { return nil }
            return reject(
                .unauthorized, "Access denied due to missing subscription key. Send it in the Gatehouse-Subscription-Key header.",
                policy: "subscription", scope: "server:\(server)")
        }
        guard values.count == 1, let sub = subscriptions[Self.hashKey(key)] else {
            return reject(.unauthorized, "Access denied due to invalid subscription key.", policy: "subscription", scope: "server:\(server)")
        }
        guard sub.active else {
            return reject(.forbidden, "Subscription '\(sub.name)' is suspended.", policy: "subscription", scope: "server:\(server)")
        }
        if let expiry = sub.expiresAt, expiry <= clock.wall() {
            return reject(.forbidden, "Subscription '\(sub.name)' has expired.", policy: "subscription", scope: "server:\(server)")
        }
        if let servers = sub.servers, !servers.contains(server), !policies.anySubscription {
            return reject(
                .forbidden, "Subscription '\(sub.name)' does not cover server '\(server)'.", policy: "subscription", scope: "server:\(server)")
        }
        context.subscription = sub
        context.decisions.append("subscription \(sub.name) accepted")
        return nil
    }

    func reject(
        _ status: HTTPResponse.Status, _ message: String, policy: String, scope: String, headers: HTTPFields = [:], data: JSONObject = [:]
    ) -> PolicyRejection {
        if !Self.registryDryRun { monitor.policyRejected(policy: policy, scope: scope) }
        return PolicyRejection(status: status, headers: headers, message: message, policy: policy, scope: scope, data: data)
    }
}
