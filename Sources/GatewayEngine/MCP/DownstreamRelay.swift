import Foundation

/// The relay state of one downstream session: its upstream sessions (one per HTTP upstream, opened on first use;
/// stdio upstreams are shared), the requests the gateway sent to the client on an upstream's behalf (under ids of
/// the gateway's choosing), and the client's requests in flight (so that `notifications/cancelled` reaches them —
/// looked up within this session only).
final class DownstreamRelay: DownstreamPeer, @unchecked Sendable {
    private weak var session: MCPSession?

    private enum Link {
        case ready(UpstreamSession, RelayLinkOwner?)
        case connecting(Task<Result<UpstreamSession, UpstreamError>, Never>)
    }

    private struct State {
        var capabilities: JSONObject = [:]
        var links: [String: Link] = [:]
        var stdio: [String: StdioSupervisor] = [:]
        var outbound: [String: CheckedContinuation<JSONObject, Never>] = [:]
        var nextOutbound: UInt64 = 0
        var inFlight: [String: RequestHandle] = [:]
        /// Which upstream answered for a resource URI or template, and a prompt's (exposed) name.
        var resourceOwners: [String: String] = [:]
        var promptOwners: [String: (upstream: String, remote: String)] = [:]
        /// Resource URIs the client subscribed to.
        var subscriptions: Set<String> = []
        var closed = false
    }
    private let state = LockedBox(State())

    init(session: MCPSession) { self.session = session }

    var peerKey: ObjectIdentifier { ObjectIdentifier(self) }

    var clientCapabilities: JSONObject {
        get { state.withLock { $0.capabilities } }
        set { state.withLock { $0.capabilities = newValue } }
    }

    // MARK: Upstream sessions

    /// The upstream session this client uses for `upstream`, opened on first use (concurrent first uses share one).
    func link(_ upstream: String, hub: UpstreamHub) async throws(UpstreamError) -> UpstreamSession {
        let settings = try hub.settings(upstream)
        if settings.transport == .stdio {
            let sup = hub.supervisor(settings)
            let first = state.withLock { s -> Bool in
                defer { s.stdio[upstream] = sup }
                return s.stdio[upstream] !== sup
            }
            if first { sup.attach(self) }
            return try await sup.session()
        }
        var stale: UpstreamSession?
        let task = state.withLock { s -> Task<Result<UpstreamSession, UpstreamError>, Never>? in
            switch s.links[upstream] {
            case .ready(let session, _) where !session.isClosed && session.settings.generation == settings.generation: return nil
            case .connecting(let t): return t
            default:
                // Closed, or opened under settings the admin has since changed: open a new one.
                if case .ready(let old, _)? = s.links[upstream] { stale = old }
                let capabilities = s.capabilities
                let t = Task { () -> Result<UpstreamSession, UpstreamError> in
                    let owner = RelayLinkOwner(peer: self, hub: hub, upstream: upstream) { [weak self] closed in self?.dropLink(upstream, closed) }
                    let result = await Result.capture { () async throws(UpstreamError) in
                        try await hub.session(for: upstream, owner: owner, clientCapabilities: capabilities)
                    }
                    let orphan = self.state.withLock { s -> UpstreamSession? in
                        switch result {
                        case .success(let session):
                            if s.closed { return session }
                            s.links[upstream] = .ready(session, owner)
                        case .failure:
                            s.links[upstream] = nil
                        }
                        return nil
                    }
                    if let orphan {
                        await orphan.close()
                        return .failure(UpstreamError(.cancelled, "the client session ended"))
                    }
                    return result
                }
                s.links[upstream] = .connecting(t)
                return t
            }
        }
        if let stale { Task { await stale.close() } }
        if let task { return try await task.value.get() }
        guard case .ready(let session, _)? = state.withLock({ $0.links[upstream] }) else {
            return try await link(upstream, hub: hub)
        }
        return session
    }

    private func dropLink(_ upstream: String, _ closed: UpstreamSession) {
        state.withLock { s in
            if case .ready(let current, _)? = s.links[upstream], current === closed { s.links[upstream] = nil }
        }
    }

    /// The upstream sessions open for this client (for notifications it sends to all of them).
    var openLinks: [UpstreamSession] {
        state.withLock { s in
            s.links.values.compactMap { if case .ready(let session, _) = $0 { session } else { nil } }
        }
    }

    // MARK: Requests to the client

    func request(method: String, params: JSONObject?, sink: (@Sendable (JSONValue) -> Void)?, timeout: Duration) async -> JSONObject {
        let id = state.withLock { s -> String in
            s.nextOutbound += 1
            return "gh-\(s.nextOutbound)"
        }
        var message: JSONObject = ["jsonrpc": "2.0", "id": .string(id), "method": .string(method)]
        if let params { message["params"] = .object(params) }
        let outgoing = JSONValue.object(message)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<JSONObject, Never>) in
                let closed = state.withLock { s -> Bool in
                    if s.closed { return true }
                    s.outbound[id] = c
                    return false
                }
                if closed { return c.resume(returning: RelayLinkOwner.refusal("the client session ended")) }
                if let sink {
                    sink(outgoing)
                } else if session?.send(outgoing) != true {
                    resolve(
                        id,
                        [
                            "error": .object([
                                "code": .int(MCPProtocol.internalError), "message": .string("the client has no open stream to receive \(method)"),
                            ])
                        ])
                    return
                }
                Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    self?.resolve(
                        id,
                        [
                            "error": .object([
                                "code": .int(MCPProtocol.requestTimeout), "message": .string("the client did not answer \(method) in time"),
                            ])
                        ])
                }
            }
        } onCancel: {
            if self.resolve(id, RelayLinkOwner.refusal("cancelled by the upstream")) {
                self.notify(method: "notifications/cancelled", params: ["requestId": .string(id), "reason": "cancelled by the upstream server"])
            }
        }
    }

    @discardableResult
    private func resolve(_ id: String, _ answer: JSONObject) -> Bool {
        guard let c = state.withLock({ $0.outbound.removeValue(forKey: id) }) else { return false }
        c.resume(returning: answer)
        return true
    }

    /// Takes a response the client sent (to sampling, elicitation, roots); false when no such request is waiting.
    func receiveResponse(_ message: JSONObject) -> Bool {
        guard case .string(let id)? = message["id"] else { return false }
        var answer: JSONObject = [:]
        if let r = message["result"] { answer["result"] = r } else { answer["error"] = message["error"] }
        return resolve(id, answer)
    }

    func notify(method: String, params: JSONObject?) {
        _ = session?.send(RelayLinkOwner.notification(method, params))
    }

    // MARK: Client requests in flight

    /// Registers a client request under its id (within this session) before its task starts, so that
    /// `notifications/cancelled` can reach it; ``RequestHandle/finish()`` removes it.
    func track(_ clientID: JSONValue) -> RequestHandle {
        let handle = RequestHandle(relay: self, key: clientID.jsonString)
        state.withLock { $0.inFlight[handle.key] = handle }
        return handle
    }

    fileprivate func untrack(_ handle: RequestHandle) {
        state.withLock { s in if s.inFlight[handle.key] === handle { s.inFlight[handle.key] = nil } }
    }

    /// Cancels the client's request with that id, if it is in flight.
    func cancel(_ clientID: JSONValue) {
        state.withLock { $0.inFlight.removeValue(forKey: clientID.jsonString) }?.cancel()
    }

    // MARK: Routing memory

    func rememberResource(_ uri: String, upstream: String) {
        state.withLock { s in if s.resourceOwners.count < 10_000 { s.resourceOwners[uri] = upstream } }
    }
    func resourceOwner(_ uri: String) -> String? { state.withLock { $0.resourceOwners[uri] } }
    func rememberPrompt(_ name: String, upstream: String, remote: String) {
        state.withLock { s in if s.promptOwners.count < 10_000 { s.promptOwners[name] = (upstream, remote) } }
    }
    func promptOwner(_ name: String) -> (upstream: String, remote: String)? { state.withLock { $0.promptOwners[name] } }

    /// Records a (un)subscription the upstream accepted.
    func setSubscribed(_ uri: String, _ subscribed: Bool) {
        state.withLock { s in
            if subscribed, s.subscriptions.count < 10_000 { s.subscriptions.insert(uri) } else if !subscribed { s.subscriptions.remove(uri) }
        }
    }

    func isSubscribed(_ uri: String) -> Bool { state.withLock { $0.subscriptions.contains(uri) } }

    /// Ends every upstream session of this client and fails what waits on it.
    func close() {
        let (links, stdio, outbound, inFlight) = state.withLock { s in
            defer {
                s.closed = true
                s.links = [:]
                s.stdio = [:]
                s.outbound = [:]
                s.inFlight = [:]
            }
            return (s.links, s.stdio, s.outbound, s.inFlight)
        }
        for c in outbound.values { c.resume(returning: RelayLinkOwner.refusal("the client session ended")) }
        inFlight.values.forEach { $0.cancel() }
        for sup in stdio.values { sup.detach(self) }
        for link in links.values {
            switch link {
            case .ready(let session, _): Task { await session.close() }
            case .connecting: break
            }
        }
    }
}

/// A client request in flight: cancellable before and after its task exists. (`relay` is set once, in `init`.)
final class RequestHandle: CancellableRequest, @unchecked Sendable {
    let key: String
    private weak var relay: DownstreamRelay?
    private let state = LockedBox<(task: Task<Void, Never>?, action: (@Sendable () -> Void)?, cancelled: Bool)>((nil, nil, false))

    fileprivate init(relay: DownstreamRelay, key: String) {
        self.relay = relay
        self.key = key
    }

    /// Attaches the request's task (cancelled at once if the client already cancelled).
    func run(_ task: Task<Void, Never>) {
        let cancelled = state.withLock { s in
            s.task = task
            return s.cancelled
        }
        if cancelled { task.cancel() }
    }

    /// What cancels the request's upstream call (set when the call starts; run at once if already cancelled).
    func onCancel(_ action: @escaping @Sendable () -> Void) {
        let cancelled = state.withLock { s in
            s.action = action
            return s.cancelled
        }
        if cancelled { action() }
    }

    func cancel() {
        let (task, action) = state.withLock { s in
            s.cancelled = true
            return (s.task, s.action)
        }
        task?.cancel()
        action?()
    }

    /// The request is over.
    func finish() {
        relay?.untrack(self)
        state.withLock { s in
            s.task = nil
            s.action = nil
        }
    }
}
