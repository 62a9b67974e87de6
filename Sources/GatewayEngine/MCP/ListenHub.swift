import NIOCore

/// The open `subscriptions/listen` streams of the stateless revision (2026-07-28), by server: each wants some
/// change notifications (``Filter``) and gets them, tagged with its subscription ID (the JSON-RPC ID of its
/// `subscriptions/listen` request), on its own bounded event queue. Streams end with their connection; the engine
/// tells the hub what changed (``notify(_:basePaths:)``).
final class ListenHub: Sendable {
    /// Which change notifications a listener asked for and the gateway agreed to send.
    struct Filter: Sendable, Equatable {
        var toolsListChanged = false
        var promptsListChanged = false
        var resourcesListChanged = false
        /// The resource URIs the upstreams accepted a subscription for (servers with upstreams).
        var resourceSubscriptions: [String] = []

        /// What the client asked for (`params.notifications`), narrowed to what the gateway can promise: tool list
        /// changes (it knows every server's tools, from the configuration and upstream discovery); resource
        /// subscriptions are added by the transport once upstreams accept them. Prompt and resource list changes
        /// would need upstream connections held open per listener; they are left out of the acknowledgement, as
        /// the revision says to do with what is not honoured.
        init(requested: JSONValue?) {
            toolsListChanged = requested?["toolsListChanged"]?.boolValue == true
        }

        /// The resource URIs asked for (strings, at most 100, duplicates removed).
        static func requestedResources(_ requested: JSONValue?) -> [String] {
            var seen: Set<String> = []
            return (requested?["resourceSubscriptions"]?.arrayValue ?? []).compactMap(\.stringValue).filter { seen.insert($0).inserted }
                .prefix(100).map { $0 }
        }

        /// The filter as acknowledged (only what is honoured).
        var acknowledged: JSONValue {
            var o = JSONObject()
            if toolsListChanged { o["toolsListChanged"] = true }
            if promptsListChanged { o["promptsListChanged"] = true }
            if resourcesListChanged { o["resourcesListChanged"] = true }
            if !resourceSubscriptions.isEmpty { o["resourceSubscriptions"] = .array(resourceSubscriptions.map { .string($0) }) }
            return .object(o)
        }

        func wants(_ change: Change) -> Bool {
            switch change {
            case .tools: toolsListChanged
            case .prompts: promptsListChanged
            case .resources: resourcesListChanged
            }
        }
    }

    /// A list that changed.
    enum Change: Sendable {
        case tools, prompts, resources

        var method: String {
            switch self {
            case .tools: "notifications/tools/list_changed"
            case .prompts: "notifications/prompts/list_changed"
            case .resources: "notifications/resources/list_changed"
            }
        }
    }

    private struct Listener {
        var subscriptionID: JSONValue
        var filter: Filter
        var queue: EventQueue
        /// Whose listener it is: upstream notifications reach only the listeners of the principal whose relay
        /// they came on.
        var principal: String
    }

    private struct State {
        var byServer: [String: [UInt64: Listener]] = [:]
        var next: UInt64 = 0
    }
    private let state = LockedBox(State())

    /// Registers a listener and sends its acknowledgement first; returns the token that removes it.
    func add(basePath: String, subscriptionID: JSONValue, filter: Filter, queue: EventQueue, principal: String = "") -> UInt64 {
        let ack: JSONValue = .object([
            "jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged",
            "params": .object(["_meta": .object([ModernEnvelope.subscriptionIDKey: subscriptionID]), "notifications": filter.acknowledged]),
        ])
        _ = queue.yield(SSE.event(name: "message", id: nil, data: ack.jsonString))
        return state.withLock { s in
            s.next += 1
            s.byServer[basePath, default: [:]][s.next] = Listener(subscriptionID: subscriptionID, filter: filter, queue: queue, principal: principal)
            return s.next
        }
    }

    func remove(basePath: String, token: UInt64) {
        state.withLock { s in
            s.byServer[basePath]?[token] = nil
            if s.byServer[basePath]?.isEmpty == true { s.byServer[basePath] = nil }
        }
    }

    /// Whether a listener of this principal on this server still wants updates of `uri`.
    func wants(basePath: String, principal: String, uri: String) -> Bool {
        state.withLock { s in
            s.byServer[basePath]?.values.contains { $0.principal == principal && $0.filter.resourceSubscriptions.contains(uri) } ?? false
        }
    }

    /// Tells the listeners of these servers that asked for it that a list changed.
    func notify(_ change: Change, basePaths: Set<String>) {
        let targets = state.withLock { s in
            basePaths.flatMap { s.byServer[$0]?.values.filter { $0.filter.wants(change) } ?? [] }
        }
        for listener in targets {
            let message: JSONValue = .object([
                "jsonrpc": "2.0", "method": .string(change.method),
                "params": .object(["_meta": .object([ModernEnvelope.subscriptionIDKey: listener.subscriptionID])]),
            ])
            _ = listener.queue.yield(SSE.event(name: "message", id: nil, data: message.jsonString))
        }
    }

    /// A notification an upstream sent the relay of `principal` on this server: a resource update reaches that
    /// principal's listeners subscribed to its URI, tagged with each one's subscription ID.
    func deliver(basePath: String, principal: String, _ message: JSONValue) {
        guard message["method"] == "notifications/resources/updated", let uri = message["params"]?["uri"]?.stringValue else { return }
        let targets = state.withLock { s in
            s.byServer[basePath]?.values.filter { $0.principal == principal && $0.filter.resourceSubscriptions.contains(uri) } ?? []
        }
        for listener in targets {
            var params = message["params"]?.objectValue ?? [:]
            var meta = params["_meta"]?.objectValue ?? [:]
            meta[ModernEnvelope.subscriptionIDKey] = listener.subscriptionID
            params["_meta"] = .object(meta)
            let tagged: JSONValue = .object(["jsonrpc": "2.0", "method": "notifications/resources/updated", "params": .object(params)])
            _ = listener.queue.yield(SSE.event(name: "message", id: nil, data: tagged.jsonString))
        }
    }

    /// Ends every stream gracefully: the answer to its `subscriptions/listen` request, then the end of the stream.
    func closeAll() {
        let all = state.withLock { s in
            defer { s.byServer = [:] }
            return s.byServer.values.flatMap(\.values)
        }
        for listener in all {
            let result: JSONValue = .object([
                "jsonrpc": "2.0", "id": listener.subscriptionID,
                "result": .object(["resultType": "complete", "_meta": .object([ModernEnvelope.subscriptionIDKey: listener.subscriptionID])]),
            ])
            _ = listener.queue.yield(SSE.event(name: "message", id: nil, data: result.jsonString))
            listener.queue.finish()
        }
    }

    /// Open listen streams (all servers).
    var count: Int { state.withLock { $0.byServer.values.reduce(0) { $0 + $1.count } } }
}
