import Foundation

/// A relayed request of a stateless (2026-07-28) client that an upstream may ask something of mid-call (sampling,
/// elicitation, roots). The client cannot be sent a request, so the gateway bridges with the revision's multi
/// round-trip requests: what the upstream asks is answered to the client as an `input_required` result naming it,
/// the upstream call stays open, and the client's retry (with `inputResponses` and the `requestState` the gateway
/// issued, ``InputRequestBroker``) answers the upstream and waits for what comes next.
///
/// It is the call's ``DownstreamPeer``: the upstream's requests for this call come here instead of to a session.
final class PendingInputCall: DownstreamPeer, @unchecked Sendable {
    /// What the waiting HTTP request is told next.
    enum Event: Sendable {
        /// The upstream asks the client (under a key of the gateway's own).
        case ask(key: String, method: String, params: JSONObject?)
        /// The call is over; its outcome is in ``outcome``.
        case done
        /// Progress or a log message for the client, on the waiting round's stream.
        case message(JSONValue)
    }

    let clientCapabilities: JSONObject
    /// Where the call reports when it is over: its outcome and the exchange it ran with.
    let outcome = LockedBox<(HandlerOutcome, GatewayResponder.Exchange)?>(nil)
    /// Cancels the upstream call (an abandoned round).
    let handle: RequestHandle

    private struct State {
        var events: [Event] = []
        var waiter: CheckedContinuation<Event, Never>?
        var asks: [String: CheckedContinuation<JSONObject, Never>] = [:]
        var next = 0
    }
    private let state = LockedBox(State())

    init(clientCapabilities: JSONObject, handle: RequestHandle) {
        self.clientCapabilities = clientCapabilities
        self.handle = handle
    }

    var peerKey: ObjectIdentifier { ObjectIdentifier(self) }

    /// The upstream's request: handed to the waiting HTTP request, answered by the client's retry (or an error
    /// after `timeout`).
    func request(method: String, params: JSONObject?, sink: (@Sendable (JSONValue) -> Void)?, timeout: Duration) async -> JSONObject {
        let key = state.withLock { s -> String in
            s.next += 1
            return "input-\(s.next)"
        }
        return await withCheckedContinuation { (c: CheckedContinuation<JSONObject, Never>) in
            state.withLock { $0.asks[key] = c }
            post(.ask(key: key, method: method, params: params))
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                self?.resolve(
                    key,
                    [
                        "error": .object([
                            "code": .int(MCPProtocol.requestTimeout), "message": .string("the client did not answer \(method) in time"),
                        ])
                    ])
            }
        }
    }

    /// Stateless clients get no notifications outside their requests.
    func notify(method: String, params: JSONObject?) {}
    func isSubscribed(_ uri: String) -> Bool { false }

    func post(_ event: Event) {
        let waiter = state.withLock { s -> CheckedContinuation<Event, Never>? in
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.events.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// The next event (waits for it).
    func nextEvent() async -> Event {
        await withCheckedContinuation { (c: CheckedContinuation<Event, Never>) in
            let ready = state.withLock { s -> Event? in
                if !s.events.isEmpty { return s.events.removeFirst() }
                s.waiter = c
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }

    /// The asks already queued behind the first (the upstream may ask several things at once).
    func drainAsks() -> [Event] {
        state.withLock { s in
            let asks = s.events.filter { if case .ask = $0 { true } else { false } }
            s.events.removeAll { if case .ask = $0 { true } else { false } }
            return asks
        }
    }

    /// The client's answers, by the keys the gateway gave; returns the keys still waiting.
    func answer(_ responses: JSONObject) -> [String] {
        for (key, value) in responses { resolve(key, ["result": value]) }
        return state.withLock { Array($0.asks.keys) }
    }

    /// The client did not come back: what the upstream waits for fails, and the call is cancelled.
    func abandon() {
        let asks = state.withLock { s in
            defer { s.asks = [:] }
            return s.asks
        }
        for c in asks.values { c.resume(returning: RelayLinkOwner.refusal("the client did not continue the request")) }
        handle.cancel()
    }

    @discardableResult
    private func resolve(_ key: String, _ answer: JSONObject) -> Bool {
        guard let c = state.withLock({ $0.asks.removeValue(forKey: key) }) else { return false }
        c.resume(returning: answer)
        return true
    }
}

/// The calls parked between two rounds of a multi round-trip request, by the `requestState` token the gateway
/// issued (128 random bits, base64url): only the same principal on the same server may continue one. At most
/// ``limit`` parked; one not continued within ``lifetime`` is abandoned (its upstream call cancelled).
final class InputRequestBroker: Sendable {
    /// Most calls parked at once. Default 1,024.
    let limit: Int
    /// How long a parked call waits for the client's retry. Default 60 s.
    let lifetime: Duration

    private struct Entry {
        var call: PendingInputCall
        var owner: String
        var parked: ContinuousClock.Instant
    }
    private let state = LockedBox<[String: Entry]>([:])

    init(limit: Int = 1024, lifetime: Duration = .seconds(60)) {
        self.limit = limit
        self.lifetime = lifetime
    }

    /// Parks a call until the client's retry; returns the token to send as `requestState`.
    func park(_ call: PendingInputCall, owner: String, now: ContinuousClock.Instant = .now) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        let token =
            "gh1."
            + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        let dropped = state.withLock { entries -> [PendingInputCall] in
            var dropped: [PendingInputCall] = []
            for (k, e) in entries where now - e.parked > lifetime {
                dropped.append(e.call)
                entries[k] = nil
            }
            if entries.count >= limit, let oldest = entries.min(by: { $0.value.parked < $1.value.parked }) {
                dropped.append(oldest.value.call)
                entries[oldest.key] = nil
            }
            entries[token] = Entry(call: call, owner: owner, parked: now)
            return dropped
        }
        for call in dropped { call.abandon() }
        return token
    }

    /// The call parked under `token` for this owner (removed), nil when unknown, expired (then abandoned) or
    /// someone else's.
    func take(_ token: String, owner: String, now: ContinuousClock.Instant = .now) -> PendingInputCall? {
        let (call, expired) = state.withLock { entries -> (PendingInputCall?, PendingInputCall?) in
            guard let e = entries[token], e.owner == owner else { return (nil, nil) }
            entries[token] = nil
            return now - e.parked <= lifetime ? (e.call, nil) : (nil, e.call)
        }
        expired?.abandon()
        return call
    }

    var count: Int { state.withLock { $0.count } }
}
