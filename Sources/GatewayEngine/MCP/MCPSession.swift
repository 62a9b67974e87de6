import Foundation
import NIOCore

/// One MCP session: created by `initialize` (Streamable HTTP) or by opening `/sse` (legacy), bound to one server's
/// base path. Its ID is 256 bits from the system CSPRNG and is never logged or recorded.
final class MCPSession: Sendable {
    enum Transport: String, Sendable { case streamable, sse }

    struct State: Sendable {
        var protocolVersion: String
        var lastSeen: ContinuousClock.Instant
        var clientName: String?
        var clientVersion: String?
        /// The open SSE stream: the legacy transport's only stream, or the Streamable HTTP GET stream.
        var stream: EventQueue?
        var eventCounter: UInt64 = 0
        /// Whether a request arrived after `initialize` (unused sessions expire sooner).
        var used = false
    }

    let id: String
    let basePath: String
    let transport: Transport
    let client: String
    /// The principal that opened the session (`PolicyContext.principalKey`); only it may use the session.
    let principal: String
    private let state: LockedBox<State>
    /// Upstream sessions and relayed requests of this client (created on first use).
    private let relayBox = LockedBox<DownstreamRelay?>(nil)
    /// Where notifications go when the session has no stream (the stateless relays' sessions: to listeners).
    let unstreamed = LockedBox<(@Sendable (JSONValue) -> Void)?>(nil)

    /// The session's relay state.
    var relay: DownstreamRelay {
        relayBox.withLock { r in
            if let r { return r }
            let created = DownstreamRelay(session: self)
            r = created
            return created
        }
    }

    init(basePath: String, transport: Transport, client: String, protocolVersion: String, principal: String = "") {
        id = Self.makeID()
        self.principal = principal
        self.basePath = basePath
        self.transport = transport
        self.client = client
        state = LockedBox(State(protocolVersion: protocolVersion, lastSeen: .now))
    }

    /// 32 random bytes, hex: visible ASCII only, 256 bits of entropy.
    static func makeID() -> String {
        var rng = SystemRandomNumberGenerator()
        return Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &rng) })
    }

    var protocolVersion: String {
        get { state.withLock { $0.protocolVersion } }
        set { state.withLock { $0.protocolVersion = newValue } }
    }

    var clientName: String? {
        get { state.withLock { $0.clientName } }
        set { state.withLock { $0.clientName = newValue } }
    }

    /// The client's version (from `initialize`'s `clientInfo`).
    var clientVersion: String? {
        get { state.withLock { $0.clientVersion } }
        set { state.withLock { $0.clientVersion = newValue } }
    }

    /// Notes the client's `clientInfo` (name and version, each cut to 128 characters for the records).
    func noteClientInfo(_ info: JSONValue?) {
        let name = info?["name"]?.stringValue.map { String($0.prefix(128)) }
        let version = info?["version"]?.stringValue.map { String($0.prefix(128)) }
        state.withLock {
            $0.clientName = name
            $0.clientVersion = version
        }
    }

    func touch() { state.withLock { $0.lastSeen = .now } }

    /// Marks the session as used by a request after `initialize`.
    func markUsed() { state.withLock { $0.used = true } }

    var used: Bool { state.withLock { $0.used } }

    func idle(since now: ContinuousClock.Instant) -> Duration { state.withLock { now - $0.lastSeen } }

    /// Attaches a stream; fails when one is already open.
    func attachStream(_ queue: EventQueue) -> Bool {
        state.withLock { s in
            if s.stream != nil { return false }
            s.stream = queue
            return true
        }
    }

    func detachStream() { state.withLock { $0.stream = nil } }

    var hasStream: Bool { state.withLock { $0.stream != nil } }

    /// Sends one JSON-RPC message as an SSE `message` event on the session's stream. Returns false without a stream,
    /// or when the stream's queue is full (a client that does not read: the stream is then ended).
    @discardableResult
    func send(_ message: JSONValue) -> Bool {
        let (queue, eventID) = state.withLock { s -> (EventQueue?, UInt64) in
            s.eventCounter += 1
            return (s.stream, s.eventCounter)
        }
        guard let queue else {
            if message["id"] == nil, let forward = unstreamed.withLock({ $0 }) { forward(message) }
            return false
        }
        return queue.yield(SSE.event(name: "message", id: transport == .sse ? nil : "\(eventID)", data: message.jsonString))
    }

    /// The next event ID of this session: unique across all its streams (the GET stream and POST answers).
    func nextEventID() -> UInt64 {
        state.withLock { s in
            s.eventCounter += 1
            return s.eventCounter
        }
    }

    /// Ends the session's stream and its upstream sessions.
    func close() {
        relayBox.withLock { $0 }?.close()
        let c = state.withLock { s in
            defer { s.stream = nil }
            return s.stream
        }
        c?.finish()
    }
}

/// Server-sent-event framing.
enum SSE {
    static func event(name: String?, id: String?, data: String) -> ByteBuffer {
        var text = ""
        if let id { text += "id: \(id)\n" }
        if let name { text += "event: \(name)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) { text += "data: \(line)\n" }
        text += "\n"
        return ByteBuffer(string: text)
    }

    static func comment(_ text: String) -> ByteBuffer { ByteBuffer(string: ": \(text)\n\n") }
}
