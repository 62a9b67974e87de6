import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The legacy HTTP+SSE transport (2024-11-05) as a client: a GET opens the event stream, whose first `endpoint`
/// event names where to POST; every answer and upstream message arrives on the stream. The endpoint must be on the
/// stream's own origin.
final class SSEUpstreamChannel: UpstreamChannel, @unchecked Sendable {
    private let http: UpstreamHTTP
    private let url: String
    private struct State {
        var endpoint: String?
        var reader: Task<Void, Never>?
        var waiting: CheckedContinuation<String, any Error>?
        var closed = false
    }
    private let state = LockedBox(State())

    init(http: UpstreamHTTP) {
        self.http = http
        url = http.settings.url ?? ""
    }

    var answersOnSend: Bool { false }

    func open(inbox: UpstreamInbox) async throws(UpstreamError) {
        try await http.check(url)
        var req = try await http.request(url, method: .GET)
        req.headers.replaceOrAdd(name: "Accept", value: "text/event-stream")
        let response = try await http.execute(req, deadline: http.settings.connectTimeout, stream: true)
        guard response.status == .ok else {
            _ = try? await http.readBody(response)
            throw http.failure(for: response)
        }
        guard response.mediaType == "text/event-stream" else {
            throw UpstreamError(
                .protocolError, "upstream '\(http.settings.name)' did not open an event stream (Content-Type '\(response.mediaType.prefix(60))')")
        }
        let name = http.settings.name
        let base = url
        let http = self.http
        do {
            _ = try await withCheckedThrowingContinuation { (c: CheckedContinuation<String, any Error>) in
                state.withLock { $0.waiting = c }
                let reader = Task {
                    var failure = UpstreamError(.unavailable, "upstream '\(name)' closed its event stream")
                    var parser = SSEParser(maxEventBytes: http.settings.maxMessageBytes)
                    do {
                        outer: for try await chunk in response.body {
                            let events: [SSEParser.Event]
                            do { events = try parser.feed(chunk.readableBytesView) } catch {
                                failure = UpstreamError(
                                    .tooLarge, "upstream '\(name)' sent an event larger than the \(http.settings.maxMessageBytes)-byte limit")
                                break outer
                            }
                            for event in events {
                                if event.name == "endpoint" {
                                    guard let resolved = Self.resolve(event.data, against: base) else {
                                        failure = UpstreamError(
                                            .refused, "upstream '\(name)' announced an endpoint on another origin: \(event.data.prefix(200))")
                                        break outer
                                    }
                                    let w = self.state.withLock { s in
                                        defer { s.waiting = nil }
                                        s.endpoint = resolved
                                        return s.waiting
                                    }
                                    w?.resume(returning: resolved)
                                } else if event.name == nil || event.name == "message", !event.data.isEmpty {
                                    do throws(UpstreamError) {
                                        inbox.message(try UpstreamHTTP.parse(Array(event.data.utf8), upstream: name), nil)
                                    } catch {
                                        failure = error
                                        break outer
                                    }
                                }
                            }
                        }
                    } catch {
                        failure = UpstreamHTTP.map(error, upstream: name)
                    }
                    let w = self.state.withLock { s in
                        defer {
                            s.waiting = nil
                            s.endpoint = nil
                        }
                        return s.waiting
                    }
                    w?.resume(throwing: failure)
                    inbox.closed(failure)
                }
                state.withLock { $0.reader = reader }
                let limit = http.settings.connectTimeout
                Task {
                    try? await Task.sleep(for: limit)
                    let w = self.state.withLock { s in
                        defer { s.waiting = nil }
                        return s.waiting
                    }
                    guard let w else { return }
                    w.resume(throwing: UpstreamError(.timeout, "upstream '\(name)' did not announce its message endpoint in time"))
                    reader.cancel()
                }
            }
        } catch {
            throw UpstreamHTTP.map(error, upstream: name)
        }
    }

    /// The endpoint URL if it stays on the stream's origin.
    static func resolve(_ endpoint: String, against base: String) -> String? {
        guard let baseURL = URL(string: base),
            let resolved = URL(string: endpoint.trimmingCharacters(in: .whitespaces), relativeTo: baseURL)?.absoluteURL,
            credentialOrigin(of: resolved.absoluteString) == credentialOrigin(of: base)
        else { return nil }
        return resolved.absoluteString
    }

    func send(_ message: JSONValue, requestID: JSONValue?, headers rules: [HeaderRule]) async throws(UpstreamError) {
        guard let endpoint = state.withLock({ $0.endpoint }) else {
            throw UpstreamError(.unavailable, "upstream '\(http.settings.name)' has no open event stream")
        }
        var req = try await http.request(endpoint, method: .POST, rules: rules)
        req.headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        req.body = .bytes(ByteBuffer(bytes: message.serialized()))
        let response = try await http.execute(req, deadline: http.settings.maxTimeout)
        _ = try? await http.readBody(response)
        guard (200..<300).contains(Int(response.status.code)) else { throw http.failure(for: response) }
    }

    func initialized(protocolVersion: String) async {}

    var injectedSecrets: [String] { http.sentSecrets.withLock { $0 } }

    func resetSession() {}

    func close() async {
        let reader = state.withLock { s in
            defer {
                s.closed = true
                s.reader = nil
                s.endpoint = nil
            }
            return s.reader
        }
        reader?.cancel()
    }
}
