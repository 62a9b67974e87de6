import Foundation
import Logging

/// Supervises the one child process of a stdio upstream, shared by every downstream session: started on first use,
/// restarted after a crash with a growing backoff (0.5 s doubling to 30 s; reset once a child has lived a minute),
/// stopped when idle, never two at once.
final class StdioSupervisor: UpstreamSessionOwner, @unchecked Sendable {
    let settings: UpstreamSettings
    private weak var hub: UpstreamHub?
    private let logger: Logger
    private let baseBackoff: Duration

    private struct State {
        var current: UpstreamSession?
        var startedAt: ContinuousClock.Instant?
        var starting: Task<Result<UpstreamSession, UpstreamError>, Never>?
        var crashes = 0
        var notBefore: ContinuousClock.Instant?
        var peers: [ObjectIdentifier: WeakPeer] = [:]
        var stopped = false
        /// Children being stopped in the background; ``stop()`` waits for them.
        var closing: [UUID: Task<Void, Never>] = [:]
    }
    private let state = LockedBox(State())

    struct WeakPeer { weak var peer: (any DownstreamPeer)? }

    init(settings: UpstreamSettings, hub: UpstreamHub) {
        self.settings = settings
        self.hub = hub
        logger = hub.logger
        baseBackoff = hub.configuration.stdioRestartBackoff
    }

    /// The process id of the running child, if any.
    var pid: Int32? { (state.withLock { $0.current }?.channel as? StdioUpstreamChannel)?.pid }

    /// The running session, starting the child when there is none (after the restart backoff, if it crashed).
    func session() async throws(UpstreamError) -> UpstreamSession {
        let task = state.withLock { s -> Task<Result<UpstreamSession, UpstreamError>, Never>? in
            if let c = s.current, !c.isClosed { return nil }
            if let t = s.starting { return t }
            let notBefore = s.notBefore
            let t = Task { () -> Result<UpstreamSession, UpstreamError> in
                if let notBefore, notBefore > .now { try? await Task.sleep(until: notBefore, clock: .continuous) }
                return await Result.capture { () async throws(UpstreamError) in try await self.start() }
            }
            s.starting = t
            return t
        }
        guard let task else {
            if let c = state.withLock({ $0.current }) { return c }
            return try await session()
        }
        return try await task.value.get()
    }

    private func start() async throws(UpstreamError) -> UpstreamSession {
        if state.withLock({ $0.stopped }) { throw UpstreamError(.unavailable, "upstream '\(settings.name)' is shutting down") }
        guard let hub else { throw UpstreamError(.unavailable, "upstream '\(settings.name)' is shutting down") }
        let channel = hub.makeChannel(settings)
        let session = UpstreamSession(settings: settings, channel: channel, clientCapabilities: Self.clientCapabilities, logger: logger)
        session.owner = self
        do {
            try await session.connect()
        } catch {
            state.withLock { s in
                s.starting = nil
                s.crashes += 1
                s.notBefore = .now + backoff(s.crashes)
            }
            // The caller gets the error now; stopping the child (grace periods included) happens meanwhile.
            closeInBackground(session)
            throw error
        }
        let stale = state.withLock { s -> UpstreamSession? in
            s.starting = nil
            if s.stopped { return session }
            s.current = session
            s.startedAt = .now
            return nil
        }
        if let stale {
            await stale.close()
            throw UpstreamError(.unavailable, "upstream '\(settings.name)' is shutting down")
        }
        return session
    }

    /// Every capability a client may have: the child is shared, so requests are checked against the calling client's.
    static let clientCapabilities: JSONObject = ["sampling": .object([:]), "elicitation": .object([:]), "roots": .object(["listChanged": true])]

    private func backoff(_ crashes: Int) -> Duration {
        min(baseBackoff * (1 << min(crashes - 1, 10)), .seconds(30))
    }

    /// Remembers a downstream session that uses this upstream (for notifications that concern every client).
    func attach(_ peer: any DownstreamPeer) {
        state.withLock { $0.peers[peer.peerKey] = WeakPeer(peer: peer) }
    }

    func detach(_ peer: any DownstreamPeer) {
        state.withLock { $0.peers[peer.peerKey] = nil }
    }

    /// Stops the child when no call is in flight and it has not been used for `idle`.
    func stopIfIdle(now: ContinuousClock.Instant, idle: Duration) {
        let session = state.withLock { s -> UpstreamSession? in
            guard let c = s.current, c.inFlight == 0, now - c.lastUsed > idle else { return nil }
            s.current = nil
            s.crashes = 0
            s.notBefore = nil
            return c
        }
        guard let session else { return }
        logger.info("stopping idle stdio upstream", metadata: ["upstream": "\(settings.name)"])
        closeInBackground(session)
    }

    /// Stops a child without making the caller wait; ``stop()`` waits for it. (The task is created under the lock, so
    /// its own removal always comes after its insertion.)
    private func closeInBackground(_ session: UpstreamSession, channelOnly: Bool = false) {
        let id = UUID()
        state.withLock { s in
            s.closing[id] = Task {
                if channelOnly { await session.channel.close() } else { await session.close() }
                _ = self.state.withLock { $0.closing.removeValue(forKey: id) }
            }
        }
    }

    /// Stops the child for good (reload or shutdown).
    func stop() async {
        let (current, starting) = state.withLock { s in
            defer {
                s.stopped = true
                s.current = nil
            }
            return (s.current, s.starting)
        }
        if let starting, case .success(let s) = await starting.value { await s.close() }
        await current?.close()
        for task in state.withLock({ Array($0.closing.values) }) { await task.value }
    }

    // MARK: UpstreamSessionOwner

    func upstreamRequest(_ session: UpstreamSession, method: String, params: JSONObject?, call: UpstreamCall?) async -> JSONObject {
        guard let call, let peer = call.peer else {
            return RelayLinkOwner.refusal(
                "the gateway cannot tell which client this \(method) request is for (several clients are in flight, or none)")
        }
        return await RelayLinkOwner.forward(method: method, params: params, to: peer, sink: call.sink, timeout: settings.maxTimeout)
    }

    func upstreamNotification(_ session: UpstreamSession, method: String, params: JSONObject?, call: UpstreamCall?) {
        switch method {
        case "notifications/tools/list_changed":
            hub?.toolsListChanged(settings.name)
        case "notifications/message":
            if let sink = call?.sink {
                sink(RelayLinkOwner.notification(method, params))
            } else {
                logger.info(
                    "upstream log message", metadata: ["upstream": "\(settings.name)", "data": "\(params?["data"]?.jsonString.prefix(500) ?? "")"])
            }
        case "notifications/resources/list_changed", "notifications/prompts/list_changed":
            let peers = state.withLock { s in s.peers.values.compactMap(\.peer) }
            for peer in peers { peer.notify(method: method, params: params) }
        case "notifications/resources/updated":
            // The child is shared: an update goes only to the clients that subscribed to that resource.
            guard let uri = params?["uri"]?.stringValue else { return }
            let peers = state.withLock { s in s.peers.values.compactMap(\.peer) }
            for peer in peers where peer.isSubscribed(uri) { peer.notify(method: method, params: params) }
        default:
            break
        }
    }

    func upstreamClosed(_ session: UpstreamSession, reason: UpstreamError) {
        let wasCurrent = state.withLock { s -> Bool in
            guard s.current === session else { return false }
            s.current = nil
            let lived = s.startedAt.map { ContinuousClock.now - $0 } ?? .zero
            s.crashes = lived > .seconds(60) ? 1 : s.crashes + 1
            s.notBefore = .now + backoff(s.crashes)
            return !s.stopped
        }
        guard wasCurrent else { return }
        logger.warning("stdio upstream ended; it restarts on next use", metadata: ["upstream": "\(settings.name)", "reason": "\(reason.message)"])
        hub?.monitor?.upstreamProcessExited(settings.name, reason: reason.message)
        closeInBackground(session, channelOnly: true)
    }
}
