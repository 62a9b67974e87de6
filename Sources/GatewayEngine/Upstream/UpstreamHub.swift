import AsyncHTTPClient
import Foundation
import Logging
import Store

/// Everything the engine keeps per upstream: its compiled settings, circuit breaker, the shared stdio child (one
/// per upstream, supervised), discovery state, and the HTTP client all upstream calls use. Created by ``Gateway``
/// (or standalone by the CLI for discovery); ``shutdown()`` stops every child and the client.
final class UpstreamHub: Sendable {
    let store: GatewayStore
    let configuration: UpstreamConfiguration
    let credentials: CredentialManager?
    /// Metrics and events (nil for the CLI's standalone discovery).
    let monitor: RequestMonitor?
    let logger: Logger
    /// Requests (POSTs and their answers).
    let http: PinnedHTTPClient
    /// Long-lived event streams (Streamable HTTP GET streams, legacy SSE streams), kept apart so they never hold
    /// connections that requests wait for.
    let streams: PinnedHTTPClient
    /// Told when discovery changed an upstream's recorded tools (the gateway reloads and announces the change).
    let onToolsChanged: @Sendable (_ upstream: String, _ changes: [UpstreamToolChange]) -> Void
    /// Calls in flight per upstream and per tool of it.
    let concurrency: CallConcurrency

    private struct State {
        var settings: [String: UpstreamSettings] = [:]
        var breakers: [String: CircuitBreaker] = [:]
        var supervisors: [String: StdioSupervisor] = [:]
        /// When each upstream was last discovered (successfully or not), and discoveries running now.
        var discoveredAt: [String: ContinuousClock.Instant] = [:]
        /// When the periodic rediscovery last started one.
        var attemptedAt: [String: ContinuousClock.Instant] = [:]
        /// Upstreams whose last discovery failed: retried after ``UpstreamConfiguration/failedDiscoveryRetry``, not
        /// after the full rediscovery interval (clients do not wait for them meanwhile).
        var failedDiscovery: Set<String> = []
        var discovering: [String: Task<Result<UpstreamDiscoveryReport, UpstreamError>, Never>] = [:]
        var inUse: Set<String> = []
        var shutDown = false
        var generation: UInt64 = 0
    }
    private let state = LockedBox(State())
    /// The `subscriptions/listen` listeners of stateless upstreams, by upstream (`UpstreamHub+Listen.swift`).
    let watchers = LockedBox<[String: (generation: UInt64, task: Task<Void, Never>)]>([:])

    init(
        store: GatewayStore, configuration: UpstreamConfiguration, credentials: CredentialManager?, monitor: RequestMonitor? = nil, logger: Logger,
        addressGuard: AddressGuard = AddressGuard(), onLimit: @escaping @Sendable (CallConcurrency.Refusal) -> Void = { _ in },
        onToolsChanged: @escaping @Sendable (String, [UpstreamToolChange]) -> Void = { _, _ in }
    ) {
        self.store = store
        self.configuration = configuration
        self.credentials = credentials
        self.monitor = monitor
        self.logger = logger
        self.onToolsChanged = onToolsChanged
        var limits = CallConcurrency.Limits()
        limits.perAPI = configuration.maxCallsPerUpstream
        limits.perTool = configuration.maxCallsPerUpstreamTool
        limits.groupName = "this upstream"
        concurrency = CallConcurrency(limits: limits, onRefusal: onLimit)
        var config = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: configuration.connectTimeout.timeAmount, read: nil),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256),
            decompression: .disabled)
        config.httpVersion = .automatic
        config.tracing.tracer = nil
        http = PinnedHTTPClient(http: config, addressGuard: addressGuard)
        config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 1024)
        streams = PinnedHTTPClient(http: config, addressGuard: addressGuard)
    }

    /// Takes the upstreams of a new configuration: changed ones lose their stdio child and discovery state.
    func update(_ records: [String: UpstreamRecord], inUse: Set<String>) {
        var compiled = records.mapValues { UpstreamSettings(record: $0, defaults: configuration) }
        let stale = state.withLock { s -> [StdioSupervisor] in
            var stale: [StdioSupervisor] = []
            for (name, var new) in compiled {
                if let old = s.settings[name], old == new {
                    new.generation = old.generation
                } else {
                    s.generation += 1
                    new.generation = s.generation
                }
                compiled[name] = new
            }
            for (name, old) in s.settings where compiled[name] != old {
                if let sup = s.supervisors.removeValue(forKey: name) { stale.append(sup) }
                s.discoveredAt[name] = nil
                s.attemptedAt[name] = nil
                s.breakers[name] = nil
            }
            s.settings = compiled
            s.inUse = inUse
            return stale
        }
        for sup in stale { Task { await sup.stop() } }
    }

    func settings(_ name: String) throws(UpstreamError) -> UpstreamSettings {
        guard let s = state.withLock({ $0.settings[name] }) else { throw UpstreamError(.invalidConfiguration, "no upstream named '\(name)'") }
        return s
    }

    // MARK: Channels and sessions

    func makeChannel(_ settings: UpstreamSettings) -> any UpstreamChannel {
        switch settings.transport {
        case .stdio:
            return StdioUpstreamChannel(settings: settings, grace: configuration.stdioStopGrace, credentials: credentials, logger: logger)
        case .streamable:
            return StreamableUpstreamChannel(http: httpContext(settings))
        case .sse:
            return SSEUpstreamChannel(http: httpContext(settings))
        }
    }

    private func httpContext(_ settings: UpstreamSettings) -> UpstreamHTTP {
        var provider: (@Sendable () async throws(UpstreamError) -> [(String, String)])?
        if let connection = settings.credential {
            let credentials = self.credentials
            let name = settings.name
            provider = { () async throws(UpstreamError) -> [(String, String)] in
                guard let credentials else { throw UpstreamError(.invalidConfiguration, "credentials are not available here") }
                let injection: CredentialInjection
                do throws(CredentialError) { injection = try await credentials.injection(for: connection) } catch {
                    throw UpstreamError(.unavailable, "credential '\(connection)' of upstream '\(name)' is unavailable: \(error.message)")
                }
                guard injection.query.isEmpty else {
                    throw UpstreamError(
                        .invalidConfiguration, "credential '\(connection)' puts its secret in the query, which upstreams do not support; use a header"
                    )
                }
                return injection.headers.map { ($0.name, $0.value) }
            }
        }
        return UpstreamHTTP(client: http, streamClient: streams, settings: settings, credentialHeaders: provider)
    }

    /// A session for a downstream client: the shared child for stdio, else a new upstream session of its own that
    /// declares the client's capabilities.
    func session(for upstream: String, owner: any UpstreamSessionOwner, clientCapabilities: JSONObject) async throws(UpstreamError) -> UpstreamSession
    {
        let settings = try settings(upstream)
        if settings.transport == .stdio { return try await supervisor(settings).session() }
        let session = UpstreamSession(settings: settings, channel: makeChannel(settings), clientCapabilities: clientCapabilities, logger: logger)
        session.owner = owner
        do {
            try await session.connect()
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    func supervisor(_ settings: UpstreamSettings) -> StdioSupervisor {
        state.withLock { s in
            if let sup = s.supervisors[settings.name] { return sup }
            let sup = StdioSupervisor(settings: settings, hub: self)
            s.supervisors[settings.name] = sup
            return sup
        }
    }

    /// The stdio supervisor of an upstream, if one exists (for tests and the console).
    func existingSupervisor(_ name: String) -> StdioSupervisor? { state.withLock { $0.supervisors[name] } }

    // MARK: Circuit breaker

    /// Runs a call through the upstream's breaker: fails fast while it is open (or the upstream's `Retry-After` runs),
    /// and records the outcome. A `call` (the tool's name, or the method) also takes a slot of the upstream's
    /// concurrency limits first, waiting up to 1 s (``UpstreamConfiguration/maxCallsPerUpstream``).
    func guarded<T: Sendable>(_ upstream: String, call: String? = nil, _ body: () async throws(UpstreamError) -> T) async throws(UpstreamError) -> T {
        guard let call else { return try await breakerGuarded(upstream, body) }
        return try await concurrency.withSlot(
            api: upstream, tool: call, refused: { UpstreamError(.busy, "upstream '\(upstream)': \($0)") }
        ) { () async throws(UpstreamError) -> T in
            try await breakerGuarded(upstream, body)
        }
    }

    private func breakerGuarded<T: Sendable>(_ upstream: String, _ body: () async throws(UpstreamError) -> T) async throws(UpstreamError) -> T {
        let decision = state.withLock { s -> CircuitBreaker.Decision in
            var b =
                s.breakers[upstream]
                ?? CircuitBreaker(
                    threshold: configuration.breakerThreshold, baseBackoff: configuration.breakerBackoff, maxBackoff: configuration.breakerMaxBackoff)
            defer { s.breakers[upstream] = b }
            return b.admit(now: .now)
        }
        if case .reject(let retryAfter, let reason) = decision {
            monitor?.upstreamCall(upstream, outcome: UpstreamError.Code.circuitOpen.rawValue)
            throw UpstreamError(
                .circuitOpen, "upstream '\(upstream)' is not being called: \(reason); retry in \(retryAfter) s", retryAfter: retryAfter)
        }
        do {
            let value = try await body()
            record(upstream, success: true, reason: "")
            return value
        } catch {
            monitor?.upstreamCall(upstream, outcome: error.code.rawValue)
            if error.code == .rateLimited {
                state.withLock { s in s.breakers[upstream]?.rateLimited(retryAfter: error.retryAfter, now: .now) }
                if decision == .probe { record(upstream, success: true, reason: "") }
            } else if error.isFailure {
                record(upstream, success: false, reason: error.message)
            } else if decision == .probe {
                record(upstream, success: true, reason: "")
            }
            throw error
        }
    }

    /// Feeds the breaker; an opening or closing is logged and reported.
    private func record(_ upstream: String, success: Bool, reason: String) {
        let (was, now) = state.withLock { s -> (Bool, Bool) in
            let was = s.breakers[upstream]?.isOpen ?? false
            s.breakers[upstream]?.record(success: success, now: .now)
            return (was, s.breakers[upstream]?.isOpen ?? false)
        }
        guard was != now else { return }
        if now {
            logger.warning("upstream circuit open", metadata: ["upstream": "\(upstream)", "error": "\(reason)"])
        } else {
            logger.info("upstream circuit closed", metadata: ["upstream": "\(upstream)"])
        }
        monitor?.upstreamCircuit(upstream, open: now, reason: reason)
    }

    /// Whether an upstream's circuit is open now.
    func circuitOpen(_ upstream: String) -> Bool { state.withLock { $0.breakers[upstream]?.isOpen ?? false } }

    // MARK: Discovery

    /// Whether a client's request should discover the upstream before it is answered: never discovered since the
    /// configuration last changed it, or its last discovery failed more than
    /// ``UpstreamConfiguration/failedDiscoveryRetryOnDemand`` ago.
    func needsDiscovery(_ upstream: String, now: ContinuousClock.Instant = .now) -> Bool {
        state.withLock { s in
            guard let at = s.discoveredAt[upstream] else { return true }
            return s.failedDiscovery.contains(upstream) && now - at > configuration.failedDiscoveryRetryOnDemand
        }
    }

    /// Discovers an upstream's tools (one discovery at a time per upstream; concurrent callers share it).
    func discover(_ upstream: String) async throws(UpstreamError) -> UpstreamDiscoveryReport {
        let settings = try settings(upstream)
        let task = state.withLock { s -> Task<Result<UpstreamDiscoveryReport, UpstreamError>, Never> in
            if let t = s.discovering[upstream] { return t }
            let t = Task { () -> Result<UpstreamDiscoveryReport, UpstreamError> in
                let result = await Result.capture { () async throws(UpstreamError) in try await self.runDiscovery(settings) }
                // The new tools are served before anyone can see this discovery as done: a request arriving meanwhile
                // joins this task, and one arriving after finds the routing table rebuilt.
                if case .success(let report) = result, !report.changes.isEmpty { self.onToolsChanged(upstream, report.changes) }
                self.state.withLock { s in
                    s.discovering[upstream] = nil
                    s.discoveredAt[upstream] = .now
                    if case .failure = result { s.failedDiscovery.insert(upstream) } else { s.failedDiscovery.remove(upstream) }
                }
                return result
            }
            s.discovering[upstream] = t
            return t
        }
        return try await task.value.get()
    }

    private func runDiscovery(_ settings: UpstreamSettings) async throws(UpstreamError) -> UpstreamDiscoveryReport {
        let session: UpstreamSession
        let temporary = settings.transport != .stdio
        if temporary {
            session = UpstreamSession(settings: settings, channel: makeChannel(settings), clientCapabilities: [:], logger: logger)
            do { try await session.connect() } catch {
                await session.close()
                throw error
            }
        } else {
            session = try await supervisor(settings).session()
        }
        do {
            let report = try await UpstreamDiscovery(store: store, configuration: configuration, logger: logger).discover(session: session)
            if session.isModern { watchModern(settings) }
            if temporary { await session.close() }
            return report
        } catch {
            if temporary { await session.close() }
            throw error
        }
    }

    /// Periodic work (called by the config watcher): stops idle stdio children and re-discovers upstreams in use.
    func tick(now: ContinuousClock.Instant = .now) {
        let (supervisors, due) = state.withLock { s -> ([StdioSupervisor], [String]) in
            let due = s.inUse.filter { name in
                guard s.discovering[name] == nil, s.settings[name] != nil else { return false }
                guard let at = [s.attemptedAt[name], s.discoveredAt[name]].compactMap({ $0 }).max() else { return true }
                let interval = s.failedDiscovery.contains(name) ? configuration.failedDiscoveryRetry : configuration.rediscoveryInterval
                return now - at > interval
            }
            return (Array(s.supervisors.values), due.sorted())
        }
        for sup in supervisors { sup.stopIfIdle(now: now, idle: configuration.stdioIdleStop) }
        for name in due {
            state.withLock { $0.attemptedAt[name] = now }
            Task {
                do throws(UpstreamError) { _ = try await self.discover(name) } catch {
                    self.logger.warning("upstream discovery failed", metadata: ["upstream": "\(name)", "error": "\(error.message)"])
                }
            }
        }
    }

    /// Called when an upstream announces `notifications/tools/list_changed`.
    func toolsListChanged(_ upstream: String) {
        Task {
            do throws(UpstreamError) { _ = try await self.discover(upstream) } catch {
                self.logger.warning("upstream discovery failed", metadata: ["upstream": "\(upstream)", "error": "\(error.message)"])
            }
        }
    }

    /// Whether a served server uses the upstream.
    func isInUse(_ name: String) -> Bool { state.withLock { !$0.shutDown && $0.inUse.contains(name) } }

    /// Stops every stdio child and the HTTP client.
    func shutdown() async {
        stopWatchers()
        let supervisors = state.withLock { s in
            defer {
                s.supervisors = [:]
                s.shutDown = true
            }
            return Array(s.supervisors.values)
        }
        await withTaskGroup(of: Void.self) { group in
            for sup in supervisors { group.addTask { await sup.stop() } }
        }
        try? await http.shutdown()
        try? await streams.shutdown()
    }
}
