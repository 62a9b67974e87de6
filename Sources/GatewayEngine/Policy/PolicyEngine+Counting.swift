import Foundation
import HTTPTypes

extension PolicyEngine {
    /// Runs the counting, caching and header policies of the global and server scopes, then the tool scope's
    /// whole inbound section (its access checks included). A refusal gives back everything this request counted.
    func messageStage(
        _ policies: ServerPolicies, method: String, tool: String?, headers: HTTPFields, query: String?, context: inout PolicyContext
    ) async -> PolicyRejection? {
        let toolPolicies = tool.flatMap { policies.tools[$0] }
        for s in policies.messageStage + (toolPolicies?.inbound ?? []) {
            var refusal: PolicyRejection?
            switch s.statement {
            case .validateJWT, .ipFilter, .checkHeader:
                refusal = await access(s, headers: headers, query: query, context: &context)
            case .rateLimit(let p):
                guard p.methods.matches(method) else { continue }
                refusal = rateLimit(s, p, headers: headers, context: &context)
            case .quota(let p):
                guard p.methods.matches(method) else { continue }
                refusal = await quota(s, p, headers: headers, context: &context)
            case .setHeader(let p):
                context.backendHeaders.append((p.name, Self.resolve(p.value, context: context), p.existsAction))
            case .authorizationContext(let p):
                refusal = await authorizationContext(s, p, context: &context)
            case .cacheLookup(let p):
                context.cacheLookup = p
            case .cacheStore:
                break
            }
            if let refusal {
                await abandon(&context)
                return refusal
            }
        }
        for s in (toolPolicies?.outbound ?? []) + policies.outbound {
            if case .cacheStore(let p) = s.statement, context.cacheTTL == nil { context.cacheTTL = p.duration }
        }
        return nil
    }

    /// The counter value a `counter-key` names for this request; never empty.
    func counterValue(_ key: CounterKey, headers: HTTPFields, context: PolicyContext) -> String {
        let fallback = "ip:" + context.clientAddress
        switch key {
        case .clientIP:
            return fallback
        case .subscription:
            return context.subscription.map { "sub:" + $0.name } ?? fallback
        case .jwtClaim(let claim):
            switch context.principal?.claims[claim] {
            case .string(let v)? where !v.isEmpty: return "jwt:\(claim)=\(v.prefix(200))"
            case .int(let v)?: return "jwt:\(claim)=\(v)"
            default: return fallback
            }
        case .header(let name):
            guard let field = HTTPField.Name(name), let v = headers[field], !v.isEmpty else { return fallback }
            return "hdr:\(name)=\(v.prefix(200))"
        case .fixed(let text):
            return "fixed:" + text
        }
    }

    func rateLimit(_ s: ScopedStatement, _ p: RateLimitPolicy, headers: HTTPFields, context: inout PolicyContext) -> PolicyRejection? {
        let period = UInt64(p.renewalPeriod) * 1_000_000_000
        let identity: String
        if p.subscriptionScoped {
            guard let sub = context.subscription else {
                context.note(s, "skipped (no subscription)")
                return nil
            }
            identity = "r|\(p.renewalPeriod)|\(s.scope)|sub:\(sub.name)"
        } else {
            identity = "r|\(p.renewalPeriod)|" + counterValue(p.counterKey, headers: headers, context: context)
        }
        let now = clock.monotonicNanos()
        if context.rateReservations.contains(where: { $0.key == identity }) {
            // Counted already by a policy at another scope: only check this policy's limit.
            let count = rateLimiter.count(identity, period: period, now: now)
            guard count > p.calls else {
                context.note(s, "allowed (counted once; \(p.calls - count) left)")
                return nil
            }
            return rateRefusal(s, p, retryAfter: p.renewalPeriod, reset: p.renewalPeriod, context: &context)
        }
        let d = rateLimiter.acquire(identity, limit: p.calls, period: period, now: now)
        guard d.allowed else { return rateRefusal(s, p, retryAfter: d.retryAfter, reset: d.reset, context: &context) }
        if let stamp = d.stamp { context.rateReservations.append(.init(key: identity, stamp: stamp, condition: p.incrementCondition)) }
        context.note(s, "allowed (\(d.remaining) left)")
        let current = context.responseHeaders[HTTPField.Name("RateLimit-Remaining")!].flatMap(Int.init) ?? Int.max
        if d.remaining < current {
            context.responseHeaders[HTTPField.Name("RateLimit-Limit")!] = String(p.calls)
            context.responseHeaders[HTTPField.Name("RateLimit-Remaining")!] = String(d.remaining)
            context.responseHeaders[HTTPField.Name("RateLimit-Reset")!] = String(d.reset)
        }
        return nil
    }

    func rateRefusal(_ s: ScopedStatement, _ p: RateLimitPolicy, retryAfter: Int, reset: Int, context: inout PolicyContext) -> PolicyRejection {
        context.note(s, "refused (retry after \(retryAfter) s)")
        var headers: HTTPFields = [.retryAfter: String(retryAfter)]
        headers[HTTPField.Name("RateLimit-Limit")!] = String(p.calls)
        headers[HTTPField.Name("RateLimit-Remaining")!] = "0"
        headers[HTTPField.Name("RateLimit-Reset")!] = String(reset)
        return reject(
            .tooManyRequests, "Rate limit is exceeded. Try again in \(retryAfter) seconds.", policy: s.statement.kindName, scope: s.scope.description,
            headers: headers, data: ["retryAfter": .int(Int64(retryAfter))])
    }

    func quota(_ s: ScopedStatement, _ p: QuotaPolicy, headers: HTTPFields, context: inout PolicyContext) async -> PolicyRejection? {
        let identity: String
        if p.subscriptionScoped {
            guard let sub = context.subscription else {
                context.note(s, "skipped (no subscription)")
                return nil
            }
            identity = "q|\(p.renewalPeriod)|\(p.firstPeriodStart)|\(s.scope)|sub:\(sub.name)"
        } else {
            identity = "q|\(p.renewalPeriod)|\(p.firstPeriodStart)|" + counterValue(p.counterKey, headers: headers, context: context)
        }
        let now = Int64(clock.wall().timeIntervalSince1970.rounded(.down))
        let period = Int64(p.renewalPeriod)
        var start = p.firstPeriodStart
        if period > 0 {
            let elapsed = now - p.firstPeriodStart
            start += (elapsed >= 0 ? elapsed / period : (elapsed - period + 1) / period) * period
        }
        if let held = context.quotaCounts[identity] {
            guard held > p.calls else {
                context.note(s, "allowed (counted once; \(p.calls - held) left)")
                return nil
            }
            return quotaRefusal(s, p, periodStart: start, now: now, context: &context)
        }
        do {
            let result = try await store.incrementQuota(key: identity, periodStart: start, limit: p.calls)
            guard result.allowed else { return quotaRefusal(s, p, periodStart: result.periodStart, now: now, context: &context) }
            context.quotaCounts[identity] = result.count
            context.quotaReservations.append(.init(key: identity, periodStart: result.periodStart, condition: p.incrementCondition))
            context.note(s, "allowed (\(p.calls - result.count) left)")
            return nil
        } catch {
            // Fail closed: a quota that cannot be counted is not granted.
            logger.error("quota store unavailable; refusing the call", metadata: ["scope": "\(s.scope)", "error": "\(error.message)"])
            monitor.policyStoreFailure(policy: s.statement.kindName)
            context.note(s, "refused (quota store unavailable)")
            return reject(
                .serviceUnavailable, "Service Unavailable: the quota cannot be counted right now; try again shortly",
                policy: s.statement.kindName, scope: s.scope.description, headers: [.retryAfter: "5"])
        }
    }

    func quotaRefusal(_ s: ScopedStatement, _ p: QuotaPolicy, periodStart: Int64, now: Int64, context: inout PolicyContext) -> PolicyRejection {
        guard p.renewalPeriod > 0 else {
            context.note(s, "refused (exhausted; does not renew)")
            return reject(.forbidden, "Out of call volume quota. The quota does not renew.", policy: s.statement.kindName, scope: s.scope.description)
        }
        let wait = max(1, min(Int64(p.renewalPeriod), periodStart + Int64(p.renewalPeriod) - now))
        context.note(s, "refused (renews in \(wait) s)")
        return reject(
            .forbidden, "Out of call volume quota. Quota will be replenished in \(Self.clockText(wait)).", policy: s.statement.kindName,
            scope: s.scope.description, headers: [.retryAfter: String(wait)], data: ["retryAfter": .int(wait)])
    }

    static func clockText(_ seconds: Int64) -> String {
        String(format: "%02d:%02d:%02d", seconds / 3600, (seconds / 60) % 60, seconds % 60)
    }

    /// Settles counts once the outcome is known: calls that failed give back counts taken under
    /// `increment-condition: success`.
    func complete(_ context: inout PolicyContext, succeeded: Bool) async {
        guard !succeeded else { return }
        for r in context.rateReservations where r.condition == .success { rateLimiter.release(r.key, stamp: r.stamp) }
        for q in context.quotaReservations where q.condition == .success { try? await store.refundQuota(key: q.key, periodStart: q.periodStart) }
        context.rateReservations.removeAll()
        context.quotaReservations.removeAll()
    }

    /// Gives back everything a refused request counted.
    func abandon(_ context: inout PolicyContext) async {
        for r in context.rateReservations { rateLimiter.release(r.key, stamp: r.stamp) }
        for q in context.quotaReservations { try? await store.refundQuota(key: q.key, periodStart: q.periodStart) }
        context.rateReservations.removeAll()
        context.quotaReservations.removeAll()
        context.quotaCounts.removeAll()
    }

    /// Fetches a connection's token into a context variable (`get-authorization-context`).
    func authorizationContext(_ s: ScopedStatement, _ p: AuthorizationContextPolicy, context: inout PolicyContext) async -> PolicyRejection? {
        guard let credentials else { return nil }
        do {
            context.variables[p.variable] = try await credentials.secret(for: p.connection)
            context.note(s, "connection \(p.connection) ready")
            return nil
        } catch {
            context.note(s, "connection \(p.connection) unavailable")
            if p.ignoreError { return nil }
            return reject(
                .serviceUnavailable, "Service Unavailable: credential '\(p.connection)' is unavailable: \(error.message)",
                policy: "get-authorization-context", scope: s.scope.description, headers: [.retryAfter: "30"])
        }
    }

    /// Fills `{{client-ip}}`, `{{subscription}}`, `{{principal}}`, `{{jwt:<claim>}}` and `{{var:<name>}}` in a header value.
    static func resolve(_ template: String, context: PolicyContext) -> String {
        guard template.contains("{{") else { return template }
        var out = template
        out = out.replacingOccurrences(of: "{{client-ip}}", with: context.clientAddress)
        out = out.replacingOccurrences(of: "{{subscription}}", with: context.subscription?.name ?? "")
        out = out.replacingOccurrences(of: "{{principal}}", with: context.principal?.subject ?? context.subscription?.name ?? "")
        var result = ""
        var rest = Substring(out)
        while let open = rest.range(of: "{{jwt:"), let close = rest.range(of: "}}", range: open.upperBound..<rest.endIndex) {
            result += rest[..<open.lowerBound]
            switch context.principal?.claims[String(rest[open.upperBound..<close.lowerBound])] {
            case .string(let s)?: result += s
            case .int(let n)?: result += String(n)
            case .bool(let b)?: result += String(b)
            default: break
            }
            rest = rest[close.upperBound...]
        }
        out = result + rest
        // Variables last, so a token's own text is never read as a template.
        for (name, value) in context.variables { out = out.replacingOccurrences(of: "{{var:\(name)}}", with: value.unmasked) }
        // Scalars, not Characters: "\r\n" is one Character that equals neither "\r" nor "\n".
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: out.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" }.prefix(4096))
        return String(scalars)
    }
}
