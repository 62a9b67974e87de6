/// The downstream side of one relayed request: how to reach the client that made it.
final class UpstreamCall: Sendable {
    /// The client's session, for requests the upstream makes while serving this call (sampling, elicitation, roots).
    let peer: (any DownstreamPeer)?
    /// Sends a message on the request's own stream (the POST's event stream, or the legacy session stream).
    let sink: (@Sendable (JSONValue) -> Void)?
    /// The client's `progressToken`, restored on progress notifications.
    let progressToken: JSONValue?
    /// The client's request in its session, through which `notifications/cancelled` reaches the upstream call.
    let handle: (any CancellableRequest)?
    /// `set-header` rules the request's policies add to the upstream HTTP request.
    let headers: [HeaderRule]

    init(
        peer: (any DownstreamPeer)?, sink: (@Sendable (JSONValue) -> Void)?, progressToken: JSONValue?, handle: (any CancellableRequest)? = nil,
        headers: [HeaderRule] = []
    ) {
        self.peer = peer
        self.sink = sink
        self.progressToken = progressToken
        self.handle = handle
        self.headers = headers
    }

    /// The same call with the request's `set-header` rules.
    func with(headers: [HeaderRule]) -> UpstreamCall {
        headers.isEmpty ? self : UpstreamCall(peer: peer, sink: sink, progressToken: progressToken, handle: handle, headers: headers)
    }
}

/// A client's request as an upstream call sees it: what cancels the call when the client cancels the request.
/// (The MCP layer's `RequestHandle` is one; the relay owns the protocol so that it never depends on the layer
/// above it.)
protocol CancellableRequest: AnyObject, Sendable {
    /// Registers what cancels the upstream call; it runs at once if the request was already cancelled.
    func onCancel(_ action: @escaping @Sendable () -> Void)
}

/// A downstream client session as the relay sees it.
protocol DownstreamPeer: AnyObject, Sendable {
    /// A stable identity for the session (never its session ID).
    var peerKey: ObjectIdentifier { get }
    /// The capabilities the client declared in `initialize` (sampling, elicitation, roots).
    var clientCapabilities: JSONObject { get }
    /// Sends a request to the client (on `sink` when given, else on the session's stream) under a gateway-chosen id
    /// and waits for the answer, at most `timeout`. Returns the response's `result` or `error` member as an object
    /// (`["result": …]` or `["error": …]`).
    func request(method: String, params: JSONObject?, sink: (@Sendable (JSONValue) -> Void)?, timeout: Duration) async -> JSONObject
    /// Sends a notification on the session's stream (dropped when the client has none open).
    func notify(method: String, params: JSONObject?)
    /// Whether the client subscribed to a resource (through the gateway).
    func isSubscribed(_ uri: String) -> Bool
}

/// Receives what an upstream session reads that is not an answer to one of its requests.
protocol UpstreamSessionOwner: AnyObject, Sendable {
    /// A request from the upstream (sampling, elicitation, roots). Returns `["result": …]` or `["error": …]`.
    func upstreamRequest(_ session: UpstreamSession, method: String, params: JSONObject?, call: UpstreamCall?) async -> JSONObject
    /// A notification from the upstream (list changes, log messages, resource updates), progress excluded.
    func upstreamNotification(_ session: UpstreamSession, method: String, params: JSONObject?, call: UpstreamCall?)
    /// The upstream's channel ended.
    func upstreamClosed(_ session: UpstreamSession, reason: UpstreamError)
}
