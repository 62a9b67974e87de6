/// Stateless (2026-07-28) upstreams announce changes only on a `subscriptions/listen` stream, not on a session's
/// GET stream: while such an upstream is in use the hub keeps one open (reopened when it ends, at least every hard
/// maximum of a call, with a back-off after failures), and a `tools/list_changed` on it triggers discovery as the
/// handshake era's notification does.
extension UpstreamHub {
    /// Starts the listener of a stateless upstream unless one runs (called after its discovery).
    func watchModern(_ settings: UpstreamSettings) {
        let start = watchers.withLock { w -> Bool in
            if let running = w[settings.name], running.generation == settings.generation { return false }
            w[settings.name]?.task.cancel()
            return true
        }
        guard start else { return }
        let task = Task { await self.listenLoop(settings) }
        watchers.withLock { $0[settings.name] = (settings.generation, task) }
    }

    private func listenLoop(_ settings: UpstreamSettings) async {
        var failures = 0
        while !Task.isCancelled {
            // Stop when the upstream changed, is no longer used, or the hub shut down.
            guard let current = try? self.settings(settings.name), current.generation == settings.generation, isInUse(settings.name) else { break }
            let owner = ListenOwner(hub: self, upstream: settings.name)
            let session = UpstreamSession(settings: settings, channel: makeChannel(settings), clientCapabilities: [:], logger: logger)
            session.owner = owner
            let opened = ContinuousClock.now
            do throws(UpstreamError) {
                try await session.connect()
                guard session.isModern else {
                    await session.close()
                    break
                }
                _ = try await session.listen(["toolsListChanged": true])
                failures = 0
            } catch {
                if error.code == .cancelled {
                    await session.close()
                    break
                }
                // A listen that lived long ended at the hard maximum, not by failing.
                failures = ContinuousClock.now - opened > .seconds(30) ? 0 : failures + 1
            }
            await session.close()
            if failures > 0 { try? await Task.sleep(for: .seconds(min(30, 1 << min(failures, 5)))) }
        }
        watchers.withLock { w in if w[settings.name]?.generation == settings.generation { w[settings.name] = nil } }
    }

    /// Stops every listener (shutdown).
    func stopWatchers() {
        let tasks = watchers.withLock { w in
            defer { w = [:] }
            return w.values.map(\.task)
        }
        tasks.forEach { $0.cancel() }
    }
}

/// The owner of a listener's session: a tool list change starts discovery; nothing else is expected.
final class ListenOwner: UpstreamSessionOwner, @unchecked Sendable {
    private weak var hub: UpstreamHub?
    let upstream: String

    init(hub: UpstreamHub, upstream: String) {
        self.hub = hub
        self.upstream = upstream
    }

    func upstreamRequest(_ session: UpstreamSession, method: String, params: JSONObject?, call: UpstreamCall?) async -> JSONObject {
        RelayLinkOwner.refusal("the gateway's listener cannot answer \(method)")
    }

    func upstreamNotification(_ session: UpstreamSession, method: String, params: JSONObject?, call: UpstreamCall?) {
        if method == "notifications/tools/list_changed" { hub?.toolsListChanged(upstream) }
    }

    func upstreamClosed(_ session: UpstreamSession, reason: UpstreamError) {}
}
