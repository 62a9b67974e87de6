import Foundation
import Synchronization

/// Calls in flight to REST backends (per API and per tool) or upstream MCP servers (per upstream and per tool),
/// bounded so that one slow tool cannot take its neighbours down (its hung calls would otherwise hold every pooled
/// connection to the host). "API" below is the group (an API, an upstream), "tool" a call kind within it.
///
/// A call over a limit waits, first come first served, for at most ``Limits/queueTimeout``, then fails with a clear
/// error; the wait costs nothing while calls are under the limits (one lock, two counters). The state is a value
/// type (``State``) apart from the waiting, so it is tested without I/O.
final class CallConcurrency: Sendable {
    /// The limits. Defaults: 64 calls per API (the connections pooled per backend host), 32 per tool (so a tool
    /// never holds more than half of its API), a 1 s wait.
    struct Limits: Sendable, Equatable {
        /// Calls in flight to one API at once. Default 64.
        var perAPI = 64
        /// Calls in flight to one tool at once. Default 32.
        var perTool = 32
        /// How long a call over a limit waits for a slot before it fails. Default 1 s.
        var queueTimeout: Duration = .seconds(1)
        /// What the group is called in refusals. Default "this API's backend".
        var groupName = "this API's backend"
        init() {}
    }

    /// Which limit refused a call.
    enum Refusal: String, Sendable, Equatable {
        case api, tool
    }

    /// The counters and the queue, as a value.
    struct State: Sendable {
        struct Waiter: Sendable {
            var id: UInt64
            var api: String
            var tool: String
        }
        var limits: Limits
        var perAPI: [String: Int] = [:]
        var perTool: [String: Int] = [:]
        var waiters: [Waiter] = []

        static func toolKey(_ api: String, _ tool: String) -> String { api + "\u{0}" + tool }

        /// Why a call cannot start now (nil: it can).
        func blocked(api: String, tool: String) -> Refusal? {
            if perTool[Self.toolKey(api, tool), default: 0] >= limits.perTool { return .tool }
            if perAPI[api, default: 0] >= limits.perAPI { return .api }
            return nil
        }

        /// Starts a call if it fits; returns whether it started. (Waiters that fit were started when the slot freed,
        /// so the ones left wait for a limit this call may not share: another tool's.)
        mutating func tryStart(api: String, tool: String) -> Bool {
            guard blocked(api: api, tool: tool) == nil else { return false }
            start(api: api, tool: tool)
            return true
        }

        mutating func start(api: String, tool: String) {
            perAPI[api, default: 0] += 1
            perTool[Self.toolKey(api, tool), default: 0] += 1
        }

        /// Ends a call; returns the waiters that may start now (already counted as started), in queue order.
        mutating func finish(api: String, tool: String) -> [UInt64] {
            perAPI[api, default: 1] -= 1
            if perAPI[api] == 0 { perAPI[api] = nil }
            let key = Self.toolKey(api, tool)
            perTool[key, default: 1] -= 1
            if perTool[key] == 0 { perTool[key] = nil }
            var started: [UInt64] = []
            var index = 0
            while index < waiters.count {
                let w = waiters[index]
                if w.api == api, blocked(api: w.api, tool: w.tool) == nil {
                    start(api: w.api, tool: w.tool)
                    started.append(w.id)
                    waiters.remove(at: index)
                } else {
                    index += 1
                }
            }
            return started
        }

        /// Removes a waiter that gave up; returns whether it was still waiting.
        mutating func abandon(_ id: UInt64) -> Bool {
            guard let index = waiters.firstIndex(where: { $0.id == id }) else { return false }
            waiters.remove(at: index)
            return true
        }
    }

    private struct Box: ~Copyable {
        var state: State
        var continuations: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        /// Waiters started (true) or given up (false) before their continuation was registered.
        var resolved: [UInt64: Bool] = [:]
        var nextID: UInt64 = 0

        /// Hands `outcome` to waiter `id`: resumes it, or keeps the outcome until it registers.
        mutating func resolve(_ id: UInt64, _ outcome: Bool) -> CheckedContinuation<Bool, Never>? {
            if let c = continuations.removeValue(forKey: id) { return c }
            resolved[id] = outcome
            return nil
        }
    }

    let limits: Limits
    private let box: Mutex<Box>
    /// Called when a limit refuses a call (the `/metrics` counter).
    private let onRefusal: @Sendable (Refusal) -> Void

    init(limits: Limits = Limits(), onRefusal: @escaping @Sendable (Refusal) -> Void = { _ in }) {
        self.limits = limits
        self.onRefusal = onRefusal
        box = Mutex(Box(state: State(limits: limits)))
    }

    /// Runs `body` as one call of `tool` of `api`, waiting for a slot when a limit is reached; throws
    /// `refused(message)` when none frees within the queue timeout.
    func withSlot<T, E: Error>(
        api: String, tool: String, refused: (String) -> E, _ body: () async throws(E) -> T
    ) async throws(E) -> T {
        if let reason = await acquire(api: api, tool: tool) { throw refused(Self.message(reason, limits)) }
        defer { release(api: api, tool: tool) }
        return try await body()
    }

    /// Takes a slot, waiting up to the queue timeout; the refusal when none freed.
    private func acquire(api: String, tool: String) async -> Refusal? {
        let id: UInt64? = box.withLock { b in
            if b.state.tryStart(api: api, tool: tool) { return nil }
            b.nextID += 1
            b.state.waiters.append(.init(id: b.nextID, api: api, tool: tool))
            return b.nextID
        }
        guard let id else { return nil }
        let reason = box.withLock { $0.state.blocked(api: api, tool: tool) } ?? .api
        let timeout = limits.queueTimeout
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.giveUp(id)
        }
        let started = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                let resumeNow: Bool? = box.withLock { b in
                    // Started or given up between queueing and here: answer at once.
                    if let outcome = b.resolved.removeValue(forKey: id) { return outcome }
                    b.continuations[id] = c
                    return nil
                }
                if let resumeNow { c.resume(returning: resumeNow) }
            }
        } onCancel: {
            giveUp(id)
        }
        timer.cancel()
        guard started else {
            onRefusal(reason)
            return reason
        }
        return nil
    }

    /// Calls waiting for a slot now.
    var waiting: Int { box.withLock { $0.state.waiters.count } }

    private func release(api: String, tool: String) {
        let ready = box.withLock { b in b.state.finish(api: api, tool: tool).compactMap { b.resolve($0, true) } }
        for c in ready { c.resume(returning: true) }
    }

    private func giveUp(_ id: UInt64) {
        let c: CheckedContinuation<Bool, Never>? = box.withLock { b in
            guard b.state.abandon(id) else { return nil }
            return b.resolve(id, false)
        }
        c?.resume(returning: false)
    }

    static func message(_ reason: Refusal, _ limits: Limits) -> String {
        switch reason {
        case .tool:
            "too many calls of this tool in flight (\(limits.perTool)); none finished within \(limits.queueTimeout): the backend is slow, try again later"
        case .api:
            "too many calls to \(limits.groupName) in flight (\(limits.perAPI)); none finished within \(limits.queueTimeout): the backend is slow, try again later"
        }
    }
}
