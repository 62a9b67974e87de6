/// A `set-header` rule for one upstream request (HTTP transports; ignored by stdio).
typealias HeaderRule = (name: String, value: String, action: SetHeaderPolicy.ExistsAction)

/// Where an upstream channel delivers what it reads.
struct UpstreamInbox: Sendable {
    /// One message read from the upstream. `related` is the id of the gateway's request whose HTTP response carried
    /// it (Streamable HTTP), nil when it came on a shared stream (GET stream, legacy SSE, stdio).
    var message: @Sendable (_ message: JSONValue, _ related: JSONValue?) -> Void
    /// The channel ended (process exit, stream closed); every call still waiting on it should fail.
    var closed: @Sendable (_ reason: UpstreamError) -> Void
}

/// A message pipe to an upstream MCP server: one implementation per transport. Channels know nothing of ids,
/// sessions of downstream clients or timeouts; ``UpstreamSession`` adds those.
protocol UpstreamChannel: AnyObject, Sendable {
    /// Opens the channel (connects, spawns) so that ``send(_:)`` can be called.
    func open(inbox: UpstreamInbox) async throws(UpstreamError)

    /// Sends one message. On Streamable HTTP a request's answer (and anything sent with it) is delivered to the inbox
    /// before this returns, and returning without the answer means the upstream ended the exchange without one.
    func send(_ message: JSONValue, requestID: JSONValue?, headers: [HeaderRule]) async throws(UpstreamError)

    /// Whether ``send(_:requestID:)`` returns only after the request's exchange is over (Streamable HTTP).
    var answersOnSend: Bool { get }

    /// Called after `initialize` succeeded, with the agreed revision (Streamable HTTP then sends the
    /// `MCP-Protocol-Version` header and opens its GET stream).
    func initialized(protocolVersion: String) async

    /// Forgets the upstream's session so the next `initialize` starts a new one (Streamable HTTP).
    func resetSession()

    /// Switches to the stateless revision (2026-07-28) at `version`: no session, no GET stream, routing headers on
    /// every request. False when the transport cannot (stdio and legacy SSE here).
    func useModern(version: String) async -> Bool

    /// Closes the channel (ends the upstream session, stops the process).
    func close() async

    /// The secrets the gateway handed this upstream (its credential's values, or the credential references of a
    /// stdio environment), so that answers quoting them can be redacted. Empty for most upstreams.
    var injectedSecrets: [String] { get }
}

extension UpstreamChannel {
    func useModern(version: String) async -> Bool { false }
}
