import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The Streamable HTTP transport as a client: one POST per message (`Accept: application/json, text/event-stream`),
/// answers as JSON or as an event stream, `Mcp-Session-Id` and `MCP-Protocol-Version` once known, and a GET
/// stream for messages the upstream sends on its own (405 means it has none). DELETE ends the session.
/// With an upstream of the stateless revision (``useModern(version:)``) there is no session and no GET stream, and
/// every POST carries the routing headers that mirror its body (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`).
/// A JSON-RPC error answered with 400 or 404 (how that revision refuses) is delivered as the request's answer.
final class StreamableUpstreamChannel: UpstreamChannel, @unchecked Sendable {
    private let http: UpstreamHTTP
    private let url: String
    private struct State {
        var inbox: UpstreamInbox?
        var sessionID: String?
        var protocolVersion: String?
        var getStream: Task<Void, Never>?
        var closed = false
        /// The stateless revision in use, nil for the handshake era.
        var modern: String?
    }
    private let state = LockedBox(State())

    init(http: UpstreamHTTP) {
        self.http = http
        url = http.settings.url ?? ""
    }

    var answersOnSend: Bool { true }

    func open(inbox: UpstreamInbox) async throws(UpstreamError) {
        try await http.check(url)
        state.withLock { $0.inbox = inbox }
    }

    private func headers(_ req: inout HTTPClientRequest, message: JSONValue? = nil) {
        let (session, version, modern) = state.withLock { ($0.sessionID, $0.protocolVersion, $0.modern) }
        if let modern, let method = message?["method"]?.stringValue {
            for (name, value) in ModernEnvelope.routingHeaders(version: modern, method: method, params: message?["params"]?.objectValue) {
                req.headers.replaceOrAdd(name: name, value: value)
            }
            return
        }
        if let session { req.headers.replaceOrAdd(name: "Mcp-Session-Id", value: session) }
        if let version { req.headers.replaceOrAdd(name: "MCP-Protocol-Version", value: version) }
    }

    func useModern(version: String) async -> Bool {
        state.withLock { s in
            s.modern = version
            s.protocolVersion = version
            s.sessionID = nil
        }
        return true
    }

    func send(_ message: JSONValue, requestID: JSONValue?, headers rules: [HeaderRule]) async throws(UpstreamError) {
        guard let inbox = state.withLock({ $0.inbox }) else { throw UpstreamError(.unavailable, "upstream '\(http.settings.name)' is not connected") }
        try await http.check(url)
        var req = try await http.request(url, method: .POST, rules: rules)
        req.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        req.headers.replaceOrAdd(name: "Accept", value: "application/json, text/event-stream")
        headers(&req, message: message)
        let isInitialize = message["method"] == .string("initialize")
        if isInitialize { req.headers.remove(name: "Mcp-Session-Id") }
        req.body = .bytes(ByteBuffer(bytes: message.serialized()))
        let response = try await http.execute(req, deadline: http.settings.maxTimeout)
        let status = Int(response.status.code)
        if status == 404, state.withLock({ $0.sessionID }) != nil, !isInitialize {
            throw UpstreamError(.sessionExpired, "upstream '\(http.settings.name)' no longer knows the session")
        }
        if status == 400 || status == 404, let requestID, response.mediaType == "application/json" {
            // The stateless revision refuses with a JSON-RPC error and 400/404 (an unsupported version, a header
            // mismatch, an unknown method): that error is the request's answer.
            let body = (try? await http.readBody(response)) ?? []
            if case .object(let o)? = try? UpstreamHTTP.parse(body, upstream: http.settings.name), let error = o["error"] {
                inbox.message(.object(["jsonrpc": "2.0", "id": requestID, "error": error]), requestID)
                return
            }
            throw http.failure(for: response)
        }
        guard (200..<300).contains(status) else {
            _ = try? await http.readBody(response)
            throw http.failure(for: response)
        }
        if isInitialize, let id = response.headers.first(name: "mcp-session-id") {
            guard id.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E }), id.utf8.count <= 1024 else {
                throw UpstreamError(.protocolError, "upstream '\(http.settings.name)' sent an invalid Mcp-Session-Id")
            }
            state.withLock { $0.sessionID = id }
        }
        if status == 202 || requestID == nil {
            _ = try await http.readBody(response)
            return
        }
        switch response.mediaType {
        case "application/json":
            let body = try await http.readBody(response)
            inbox.message(try UpstreamHTTP.parse(body, upstream: http.settings.name), requestID)
        case "text/event-stream":
            try await http.readEvents(response) { inbox.message($0, requestID) }
        default:
            throw UpstreamError(
                .protocolError,
                "upstream '\(http.settings.name)' answered with Content-Type '\(response.mediaType.prefix(60))', not JSON or an event stream")
        }
    }

    func initialized(protocolVersion: String) async {
        let start = state.withLock { s -> Bool in
            s.protocolVersion = protocolVersion
            return s.getStream == nil && !s.closed && s.modern == nil
        }
        if start {
            let task = Task { await self.runGetStream() }
            state.withLock { $0.getStream = task }
        }
    }

    /// Keeps the GET stream open while the channel lives: reconnects after the upstream ends it, stops on 405 or
    /// any other refusal (the upstream then only talks in answers to POSTs).
    private func runGetStream() async {
        var failures = 0
        while !Task.isCancelled, failures < 5 {
            guard let inbox = state.withLock({ $0.closed ? nil : $0.inbox }) else { return }
            let opened = ContinuousClock.now
            do {
                var req = try await http.request(url, method: .GET)
                req.headers.replaceOrAdd(name: "Accept", value: "text/event-stream")
                headers(&req)
                let response = try await http.execute(req, deadline: http.settings.connectTimeout, stream: true)
                guard response.status == .ok, response.mediaType == "text/event-stream" else {
                    _ = try? await http.readBody(response)
                    return
                }
                try await http.readEvents(response) { inbox.message($0, nil) }
                // A stream that lived a while ended normally (servers may close at will): reconnect soon. One that
                // ends at once counts as a failure, so a server that keeps doing so is not hammered.
                failures = ContinuousClock.now - opened > .seconds(30) ? 0 : failures + 1
            } catch {
                if error.code == .cancelled { return }
                failures += 1
            }
            // Back-off between reconnections: 1 s, then 2, 4, 8 s; after 5 quick failures the stream is given up
            // (the upstream's answers to requests still arrive on their POSTs).
            try? await Task.sleep(for: .seconds(1 << max(0, failures - 1)))
        }
    }

    var injectedSecrets: [String] { http.sentSecrets.withLock { $0 } }

    func resetSession() {
        let task = state.withLock { s in
            defer {
                s.sessionID = nil
                s.getStream = nil
            }
            return s.getStream
        }
        task?.cancel()
    }

    func close() async {
        let (task, session, version) = state.withLock { s in
            defer {
                s.closed = true
                s.getStream = nil
                s.sessionID = nil
            }
            return (s.getStream, s.sessionID, s.protocolVersion)
        }
        task?.cancel()
        guard let session else { return }
        // Tell the upstream the session is over; a failure here changes nothing for us.
        guard var req = try? await http.request(url, method: .DELETE) else { return }
        req.headers.replaceOrAdd(name: "Mcp-Session-Id", value: session)
        if let version { req.headers.replaceOrAdd(name: "MCP-Protocol-Version", value: version) }
        if let response = try? await http.execute(req, deadline: .seconds(2)) { _ = try? await http.readBody(response) }
    }
}
