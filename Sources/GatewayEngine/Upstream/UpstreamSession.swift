import Foundation
import Logging

/// One MCP session with an upstream over any channel: the `initialize` handshake, JSON-RPC ids of our own (a
/// client's id never travels upstream, so two clients with the same id cannot see each other's answers), progress
/// tokens of our own mapped back to the client's, a timeout per call that progress restarts and a hard maximum that
/// nothing restarts (on expiry the upstream gets `notifications/cancelled`), cancellation both ways, and one
/// transparent re-initialisation when the upstream forgets the session.
final class UpstreamSession: @unchecked Sendable {
    let settings: UpstreamSettings
    let channel: any UpstreamChannel
    let logger: Logger
    weak var owner: (any UpstreamSessionOwner)?

    struct Pending {
        var continuation: CheckedContinuation<Result<JSONObject, UpstreamError>, Never>
        var call: UpstreamCall?
        var method: String
        var started: ContinuousClock.Instant
        var lastActivity: ContinuousClock.Instant
        /// Silence allowed (progress restarts it) and the hard maximum from `started`.
        var timeout: Duration
        var maxTimeout: Duration
        var sender: Task<Void, Never>?

        var deadline: ContinuousClock.Instant { min(lastActivity + timeout, started + maxTimeout) }
    }

    struct Handshake: Sendable {
        var protocolVersion: String
        var capabilities: JSONObject
        var serverInfo: JSONObject
        var instructions: String?
    }

    /// The session's state; `State` and `state` are internal only for the session's own extensions
    /// (`UpstreamSession+Modern.swift`).
    struct State {
        var nextID: Int64 = 1
        var pending: [Int64: Pending] = [:]
        /// Requests the upstream made of a client, by the upstream's id, so that its cancellation reaches them.
        var inbound: [String: Task<Void, Never>] = [:]
        var handshake: Handshake?
        var closed: UpstreamError?
        var lastUsed = ContinuousClock.now
        /// Whether the session's watchdog task runs (it does while calls are pending).
        var watching = false
        /// Counts successful handshakes; a re-initialisation runs once per expired session, shared by its callers.
        var epoch = 0
        var reinitializing: Task<Result<Void, UpstreamError>, Never>?
        /// The stateless revision the upstream speaks (no handshake, no session), nil for the handshake era.
        var modern: String?
        /// On a stateless upstream: the log level the client set (`logging/setLevel`, which that revision lacks),
        /// sent as `_meta` log level on every request instead.
        var logLevel: String?
        /// On a stateless upstream: the `x-mcp-header` arguments of its tools (from its `tools/list` answers), so
        /// calls carry the `Mcp-Param-*` headers it checks.
        var paramHeaders: [String: [ModernEnvelope.ParamHeader]] = [:]
    }
    let state = LockedBox(State())
    /// The client capabilities declared upstream (those of the downstream client this session serves).
    let clientCapabilities: JSONObject

    static let requestedVersion = "2025-11-25"
    static let supportedVersions: Set<String> = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]

    init(settings: UpstreamSettings, channel: any UpstreamChannel, clientCapabilities: JSONObject, logger: Logger) {
        self.settings = settings
        self.channel = channel
        self.clientCapabilities = clientCapabilities
        self.logger = logger
    }

    var handshake: Handshake? { state.withLock { $0.handshake } }
    /// Whether the upstream is used in the stateless revision (2026-07-28).
    var isModern: Bool { state.withLock { $0.modern != nil } }
    static let clientInfo: JSONValue = .object(["name": "gatehouse", "version": .string(GatehouseVersion.current)])
    var isClosed: Bool { state.withLock { $0.closed != nil } }
    var inFlight: Int { state.withLock { $0.pending.count } }
    var lastUsed: ContinuousClock.Instant { state.withLock { $0.lastUsed } }

    /// The calls waiting on this session that have a client to reach.
    var activeCalls: [UpstreamCall] { state.withLock { $0.pending.values.compactMap(\.call) } }

    /// Opens the channel and runs the handshake.
    func connect() async throws(UpstreamError) {
        try await channel.open(
            inbox: UpstreamInbox(
                message: { [weak self] message, related in self?.receive(message, related: related) },
                closed: { [weak self] reason in self?.channelClosed(reason) }))
        try await initialize()
    }

    private func initialize() async throws(UpstreamError) {
        let params: JSONObject = [
            "protocolVersion": .string(Self.requestedVersion),
            "capabilities": .object(clientCapabilities),
            "clientInfo": .object(["name": "gatehouse", "version": .string(GatehouseVersion.current)]),
        ]
        let response = try await send(method: "initialize", params: params, call: nil, timeout: settings.connectTimeout + settings.timeout)
        if let version = Self.modernVersion(offeredBy: response["error"]), await channel.useModern(version: version) {
            // A server of the stateless revision only: discover it instead (no handshake, no session).
            try await discover(version: version)
            return
        }
        guard case .object(let result)? = response["result"] else {
            throw UpstreamError(.protocolError, "upstream '\(settings.name)' refused initialize: \(Self.describeError(response["error"]))")
        }
        guard case .string(let version)? = result["protocolVersion"], Self.supportedVersions.contains(version) else {
            throw UpstreamError(
                .protocolError,
                "upstream '\(settings.name)' answered initialize with unsupported protocol version \(result["protocolVersion"]?.jsonString.prefix(40) ?? "none")"
            )
        }
        let handshake = Handshake(
            protocolVersion: version, capabilities: result["capabilities"]?.objectValue ?? [:], serverInfo: result["serverInfo"]?.objectValue ?? [:],
            instructions: result["instructions"]?.stringValue)
        state.withLock { s in
            s.handshake = handshake
            s.epoch += 1
        }
        await channel.initialized(protocolVersion: version)
        try await notify(method: "notifications/initialized", params: nil)
    }

    /// Sends a notification upstream (none on a stateless-revision upstream over HTTP: it has no client
    /// notifications, and closing a request's stream is its cancellation).
    func notify(method: String, params: JSONObject?) async throws(UpstreamError) {
        if isModern { return }
        var message: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { message["params"] = .object(params) }
        try await channel.send(.object(message), requestID: nil, headers: [])
    }

    /// Sends a request and waits for its answer (`["result": …]` or `["error": …]`), re-initialising once if the
    /// upstream forgot the session (it then has not processed the request, so sending it again is safe).
    func request(method: String, params: JSONObject?, call: UpstreamCall?) async throws(UpstreamError) -> JSONObject {
        if isModern { return try await modernRequest(method: method, params: params, call: call) }
        let epoch = state.withLock { $0.epoch }
        do {
            return try await send(method: method, params: params, call: call, timeout: settings.timeout)
        } catch  where error.code == .sessionExpired {
            try await reinitialize(after: epoch)
            return try await send(method: method, params: params, call: call, timeout: settings.timeout)
        }
    }

    /// Starts a new upstream session once for every caller that saw the old one expire.
    private func reinitialize(after epoch: Int) async throws(UpstreamError) {
        let task = state.withLock { s -> Task<Result<Void, UpstreamError>, Never>? in
            if let t = s.reinitializing { return t }
            guard s.epoch == epoch else { return nil }
            let t = Task { () -> Result<Void, UpstreamError> in
                self.logger.info("upstream session expired; initializing a new one", metadata: ["upstream": "\(self.settings.name)"])
                self.channel.resetSession()
                let result = await Result.capture { () async throws(UpstreamError) in try await self.initialize() }
                self.state.withLock { $0.reinitializing = nil }
                return result
            }
            s.reinitializing = t
            return t
        }
        if let task { try await task.value.get() }
    }

    /// Sends one request and waits for its answer (the session's extensions build on it).
    func send(method: String, params: JSONObject?, call: UpstreamCall?, timeout: Duration) async throws(UpstreamError) -> JSONObject {
        let id = state.withLock { s -> Int64 in
            defer { s.nextID += 1 }
            s.lastUsed = .now
            return s.nextID
        }
        if let closed = state.withLock({ $0.closed }) { throw closed }
        var params = params
        if call?.progressToken != nil {
            var meta = params?["_meta"]?.objectValue ?? [:]
            meta["progressToken"] = .string("gh-\(id)")
            params = params ?? [:]
            params?["_meta"] = .object(meta)
        } else if params?["_meta"]?["progressToken"] != nil {
            var meta = params?["_meta"]?.objectValue ?? [:]
            meta["progressToken"] = nil
            params?["_meta"] = meta.isEmpty ? nil : .object(meta)
        }
        var rules = call?.headers ?? []
        if isModern { stampModern(method: method, params: &params, rules: &rules) }
        let headerRules = rules
        var message: JSONObject = ["jsonrpc": "2.0", "id": .int(id), "method": .string(method)]
        if let params { message["params"] = .object(params) }
        let outgoing = JSONValue.object(message)
        let started = ContinuousClock.now
        let maxTimeout = settings.maxTimeout
        let answersOnSend = channel.answersOnSend
        let channel = self.channel
        let name = settings.name
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<JSONObject, UpstreamError>, Never>) in
                let startWatchdog = state.withLock { s -> Bool in
                    s.pending[id] = Pending(
                        continuation: c, call: call, method: method, started: started, lastActivity: started, timeout: timeout,
                        maxTimeout: maxTimeout)
                    defer { s.watching = true }
                    return !s.watching
                }
                if startWatchdog { Task { await self.watch() } }
                call?.handle?.onCancel { [weak self] in
                    if self?.complete(id, .failure(UpstreamError(.cancelled, "request cancelled"))) == true {
                        self?.cancelUpstream(id, reason: "cancelled by the client")
                    }
                }
                let sender = Task {
                    do throws(UpstreamError) {
                        try await channel.send(outgoing, requestID: .int(id), headers: headerRules)
                        if answersOnSend {
                            self.complete(
                                id, .failure(UpstreamError(.protocolError, "upstream '\(name)' ended its answer to \(method) without a response")))
                        }
                    } catch {
                        self.complete(id, .failure(error))
                    }
                }
                let registered = state.withLock { s -> Bool in
                    guard s.pending[id] != nil else { return false }
                    s.pending[id]?.sender = sender
                    return true
                }
                if !registered { sender.cancel() }
            }
        } onCancel: {
            if self.complete(id, .failure(UpstreamError(.cancelled, "request cancelled"))) {
                self.cancelUpstream(id, reason: "cancelled by the client")
            }
        }
        return try result.get()
    }

    /// One watchdog per session while calls are pending (not one per call): it sleeps until the earliest deadline,
    /// fails the calls whose silence or hard maximum ran out and tells the upstream they are cancelled.
    private func watch() async {
        while true {
            let now = ContinuousClock.now
            let (expired, next) = state.withLock { s -> ([(Int64, Pending)], ContinuousClock.Instant?) in
                var expired: [(Int64, Pending)] = []
                var next: ContinuousClock.Instant?
                for (id, p) in s.pending {
                    let d = p.deadline
                    if d <= now { expired.append((id, p)) } else { next = min(next ?? d, d) }
                }
                if next == nil && expired.isEmpty { s.watching = false }
                return (expired, next)
            }
            for (id, p) in expired {
                let hard = p.started + p.maxTimeout <= now
                let seconds = (hard ? p.maxTimeout : p.timeout).components.seconds
                let error = UpstreamError(
                    .timeout, "upstream '\(settings.name)' did not answer \(p.method) within \(seconds) s\(hard ? " (hard maximum)" : "")")
                if complete(id, .failure(error)) { cancelUpstream(id, reason: "timed out at the gateway") }
            }
            guard let next else {
                if expired.isEmpty { return }
                continue
            }
            // At least once a second, so a call with an earlier deadline than the one slept for (a call that arrives
            // during a re-initialisation) is never late by more than that.
            try? await Task.sleep(until: min(next, .now + .seconds(1)), clock: .continuous)
        }
    }

    /// Resolves a pending request once; false when it was already resolved.
    @discardableResult
    private func complete(_ id: Int64, _ result: Result<JSONObject, UpstreamError>) -> Bool {
        guard let p = state.withLock({ $0.pending.removeValue(forKey: id) }) else { return false }
        p.sender?.cancel()
        p.continuation.resume(returning: result)
        return true
    }

    private func cancelUpstream(_ id: Int64, reason: String) {
        Task { try? await self.notify(method: "notifications/cancelled", params: ["requestId": .int(id), "reason": .string(reason)]) }
    }

    /// The call a message from the upstream belongs to: the request whose HTTP answer carried it, else the only call
    /// in flight with a client (several clients in flight: none — it is never guessed).
    private func relatedCall(_ related: JSONValue?) -> UpstreamCall? {
        state.withLock { s in
            if let id = related?.intValue { return s.pending[id]?.call }
            let calls = s.pending.values.compactMap(\.call)
            guard let first = calls.first else { return nil }
            let peer = first.peer.map(ObjectIdentifier.init)
            return calls.allSatisfy({ $0.peer.map(ObjectIdentifier.init) == peer }) && calls.count == 1 ? first : nil
        }
    }

    private func touch(_ id: Int64) {
        state.withLock { s in s.pending[id]?.lastActivity = .now }
    }

    /// Routes one message read from the upstream.
    func receive(_ value: JSONValue, related: JSONValue?) {
        guard case .object(let o) = value else {
            logger.warning("upstream sent a message that is not an object; ignored", metadata: ["upstream": "\(settings.name)"])
            return
        }
        if case .string(let method)? = o["method"] {
            let params = o["params"]?.objectValue
            if let id = o["id"] {
                if let rid = related?.intValue { touch(rid) }
                serverRequest(id: id, method: method, params: params, call: relatedCall(related))
            } else {
                notification(method: method, params: params, related: related)
            }
            return
        }
        guard let id = o["id"], o["result"] != nil || o["error"] != nil else {
            logger.warning(
                "upstream sent a message that is neither request, notification nor response; ignored", metadata: ["upstream": "\(settings.name)"])
            return
        }
        var answer: JSONObject = [:]
        if let r = o["result"] { answer["result"] = r } else { answer["error"] = o["error"] }
        if let gid = id.intValue, complete(gid, .success(answer)) { return }
        logger.warning(
            "upstream answered an id it was not asked; dropped", metadata: ["upstream": "\(settings.name)", "id": "\(id.jsonString.prefix(40))"])
        if let rid = related?.intValue {
            complete(rid, .failure(UpstreamError(.protocolError, "upstream '\(settings.name)' answered with an id that does not match the request")))
        }
    }

    private func notification(method: String, params: JSONObject?, related: JSONValue?) {
        switch method {
        case "notifications/progress":
            guard case .string(let token)? = params?["progressToken"], token.hasPrefix("gh-"), let id = Int64(token.dropFirst(3)) else { return }
            let call = state.withLock { s -> UpstreamCall? in
                s.pending[id]?.lastActivity = .now
                return s.pending[id]?.call
            }
            guard let call, let clientToken = call.progressToken, let sink = call.sink else { return }
            var p = params ?? [:]
            p["progressToken"] = clientToken
            sink(.object(["jsonrpc": "2.0", "method": "notifications/progress", "params": .object(p)]))
        case "notifications/cancelled":
            guard let requestID = params?["requestId"] else { return }
            let task = state.withLock { $0.inbound.removeValue(forKey: requestID.jsonString) }
            task?.cancel()
        default:
            if let rid = related?.intValue { touch(rid) }
            owner?.upstreamNotification(self, method: method, params: params, call: relatedCall(related))
        }
    }

    private func serverRequest(id: JSONValue, method: String, params: JSONObject?, call: UpstreamCall?) {
        let key = id.jsonString
        let finished = LockedBox(false)
        let task = Task {
            var answer: JSONObject
            if method == "ping" {
                answer = ["result": .object([:])]
            } else if let owner = self.owner {
                answer = await owner.upstreamRequest(self, method: method, params: params, call: call)
            } else {
                answer = ["error": .object(["code": .int(MCPProtocol.methodNotFound), "message": .string("no client to ask")])]
            }
            let removed = self.state.withLock { s -> Bool in
                finished.withLock { $0 = true }
                return s.inbound.removeValue(forKey: key) != nil
            }
            if !removed && Task.isCancelled { return }
            var message: JSONObject = ["jsonrpc": "2.0", "id": id]
            for (k, v) in answer { message[k] = v }
            try? await self.channel.send(.object(message), requestID: nil, headers: [])
        }
        // Registered unless it already finished (the entry would never be removed).
        state.withLock { s in if !finished.withLock({ $0 }) { s.inbound[key] = task } }
    }

    private func channelClosed(_ reason: UpstreamError) {
        let (pending, inbound) = state.withLock { s in
            defer {
                s.pending = [:]
                s.inbound = [:]
                if s.closed == nil { s.closed = reason }
            }
            return (s.pending, s.inbound)
        }
        for (_, p) in pending {
            p.sender?.cancel()
            p.continuation.resume(returning: .failure(reason))
        }
        inbound.values.forEach { $0.cancel() }
        owner?.upstreamClosed(self, reason: reason)
    }

    /// Ends the session: pending calls fail, the channel closes.
    func close() async {
        channelClosed(UpstreamError(.unavailable, "upstream '\(settings.name)' session closed"))
        await channel.close()
    }

    static func describeError(_ error: JSONValue?) -> String {
        guard let e = error?.objectValue else { return "no result" }
        return "\(e["message"]?.stringValue?.prefix(300) ?? "error") (\(e["code"]?.intValue.map(String.init) ?? "?"))"
    }
}
