import Logging

/// Owns one HTTP upstream session opened for one downstream session: what the upstream asks or announces goes to
/// that client only.
final class RelayLinkOwner: UpstreamSessionOwner, @unchecked Sendable {
    private weak var peer: (any DownstreamPeer)?
    private weak var hub: UpstreamHub?
    let upstream: String
    private let onClosed: @Sendable (UpstreamSession) -> Void

    init(peer: any DownstreamPeer, hub: UpstreamHub, upstream: String, onClosed: @escaping @Sendable (UpstreamSession) -> Void) {
        self.peer = peer
        self.hub = hub
        self.upstream = upstream
        self.onClosed = onClosed
    }

    func upstreamRequest(_ session: UpstreamSession, method: String, params: JSONObject?, call: UpstreamCall?) async -> JSONObject {
        guard let target = call?.peer ?? peer else { return Self.refusal("the client of this session is gone") }
        return await Self.forward(method: method, params: params, to: target, sink: call?.sink, timeout: session.settings.maxTimeout)
    }

    func upstreamNotification(_ session: UpstreamSession, method: String, params: JSONObject?, call: UpstreamCall?) {
        if method == "notifications/tools/list_changed" {
            hub?.toolsListChanged(upstream)
            return
        }
        guard method.hasPrefix("notifications/") else { return }
        if method == "notifications/message", let sink = call?.sink {
            sink(Self.notification(method, params))
        } else {
            peer?.notify(method: method, params: params)
        }
    }

    func upstreamClosed(_ session: UpstreamSession, reason: UpstreamError) { onClosed(session) }

    // MARK: Shared with the stdio supervisor

    /// The capability a client must have declared for a request the upstream makes of it.
    static func requiredCapability(_ method: String) -> String? {
        switch method {
        case "sampling/createMessage": "sampling"
        case "elicitation/create": "elicitation"
        case "roots/list": "roots"
        default: nil
        }
    }

    /// Forwards an upstream's request to a client that declared the matching capability.
    static func forward(method: String, params: JSONObject?, to peer: any DownstreamPeer, sink: (@Sendable (JSONValue) -> Void)?, timeout: Duration)
        async -> JSONObject
    {
        guard let capability = requiredCapability(method) else {
            return ["error": .object(["code": .int(MCPProtocol.methodNotFound), "message": .string("method not found: \(method)")])]
        }
        guard peer.clientCapabilities[capability] != nil else {
            return ["error": .object(["code": .int(MCPProtocol.methodNotFound), "message": .string("the client does not support \(capability)")])]
        }
        return await peer.request(method: method, params: params, sink: sink, timeout: timeout)
    }

    static func refusal(_ message: String) -> JSONObject {
        ["error": .object(["code": .int(MCPProtocol.internalError), "message": .string(message)])]
    }

    static func notification(_ method: String, _ params: JSONObject?) -> JSONValue {
        var o: JSONObject = ["jsonrpc": "2.0", "method": .string(method)]
        if let params { o["params"] = .object(params) }
        return .object(o)
    }
}
