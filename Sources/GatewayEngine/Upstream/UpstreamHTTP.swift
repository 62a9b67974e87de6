import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// What the HTTP channels share: the client (no redirects, no read timeout: calls are bounded by the session's
/// timers; it checks every URL with the SSRF guard and connects to an approved address), and the upstream's outbound headers (static ones and the
/// credential, computed per request so that tokens refresh).
struct UpstreamHTTP: Sendable {
    let client: PinnedHTTPClient
    /// The client for long-lived event streams.
    let streamClient: PinnedHTTPClient
    let settings: UpstreamSettings
    /// Headers added to every request: static headers, then the credential (nil = none).
    let credentialHeaders: (@Sendable () async throws(UpstreamError) -> [(String, String)])?
    /// The credential values last sent (tokens refresh), for redacting answers that quote them.
    let sentSecrets = LockedBox<[String]>([])

    /// Checks a URL with the SSRF guard (same rules as for REST backends).
    func check(_ url: String) async throws(UpstreamError) {
        do {
            _ = try await client.approved(url, allowPrivateNetwork: settings.allowPrivateNetwork)
        } catch {
            throw UpstreamError(.refused, "upstream '\(settings.name)': \(error.message)")
        }
    }

    /// A request with the upstream's outbound headers. No header of the downstream client is ever copied.
    func request(_ url: String, method: HTTPMethod, rules: [HeaderRule] = []) async throws(UpstreamError) -> HTTPClientRequest {
        var req = HTTPClientRequest(url: url)
        req.method = method
        for (name, value) in settings.headers { req.headers.replaceOrAdd(name: name, value: value) }
        // `set-header` policies, then the credential (which a policy cannot replace), as for REST backends.
        for rule in rules {
            switch rule.action {
            case .override: req.headers.replaceOrAdd(name: rule.name, value: rule.value)
            case .skip: if !req.headers.contains(name: rule.name) { req.headers.add(name: rule.name, value: rule.value) }
            case .append: req.headers.add(name: rule.name, value: rule.value)
            case .delete: req.headers.remove(name: rule.name)
            }
        }
        if let credentialHeaders {
            guard let origin = credentialOrigin(of: url), origin == settings.credentialOrigin else {
                throw UpstreamError(
                    .invalidConfiguration,
                    "upstream '\(settings.name)' now points to a different origin than its credential was attached for; re-attach it with `gatehouse upstream set \(settings.name) --credential \(settings.credential ?? "CONN")`"
                )
            }
            let headers = try await credentialHeaders()
            for (name, value) in headers { req.headers.replaceOrAdd(name: name, value: value) }
            let values = headers.map(\.1)
            if sentSecrets.withLock({ $0 != values }) { sentSecrets.withLock { $0 = values } }
        }
        return req
    }

    /// Sends a request to an address the SSRF guard approved; the deadline bounds the wait for the response head only
    /// (the body is bounded by the caller). `stream: true` uses the client for long-lived event streams.
    func execute(_ req: HTTPClientRequest, deadline: Duration, stream: Bool = false) async throws(UpstreamError) -> HTTPClientResponse {
        do {
            return try await (stream ? streamClient : client).execute(
                req, allowPrivateNetwork: settings.allowPrivateNetwork, deadline: .now() + deadline.timeAmount)
        } catch let refusal as GatewayError {
            throw UpstreamError(.refused, "upstream '\(settings.name)': \(refusal.message)")
        } catch {
            throw Self.map(error, upstream: settings.name)
        }
    }

    static func map(_ error: any Error, upstream: String) -> UpstreamError {
        if let e = error as? UpstreamError { return e }
        if error is CancellationError { return UpstreamError(.cancelled, "cancelled") }
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout: return UpstreamError(.timeout, "upstream '\(upstream)' did not answer in time")
            case .connectTimeout: return UpstreamError(.unavailable, "could not connect to upstream '\(upstream)' in time")
            case .remoteConnectionClosed: return UpstreamError(.unavailable, "upstream '\(upstream)' closed the connection")
            case .cancelled: return UpstreamError(.cancelled, "cancelled")
            default: return UpstreamError(.unavailable, "upstream '\(upstream)' failed: \(e)")
            }
        }
        let text = "\(error)"
        if text.contains("TLS") || text.contains("handshake") || text.contains("certificate") || text.contains("NIOSSL") {
            return UpstreamError(.unavailable, "upstream '\(upstream)': TLS failed (\(text.prefix(200)))")
        }
        return UpstreamError(.unavailable, "upstream '\(upstream)' failed: \(text.prefix(300))")
    }

    /// Maps a non-success status to an error (429 keeps `Retry-After`).
    func failure(for response: HTTPClientResponse) -> UpstreamError {
        let status = Int(response.status.code)
        switch status {
        case 429:
            let retry = response.headers.first(name: "retry-after").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            return UpstreamError(
                .rateLimited, "upstream '\(settings.name)' is rate limiting (HTTP 429)\(retry.map { "; retry after \($0) s" } ?? "")",
                retryAfter: retry,
                httpStatus: status)
        case 300..<400:
            return UpstreamError(
                .refused, "upstream '\(settings.name)' answered with a redirect (HTTP \(status)); redirects are not followed", httpStatus: status)
        case 401, 403:
            return UpstreamError(.unavailable, "upstream '\(settings.name)' refused the gateway's credentials (HTTP \(status))", httpStatus: status)
        default:
            return UpstreamError(.unavailable, "upstream '\(settings.name)' answered HTTP \(status)", httpStatus: status)
        }
    }

    /// Reads a whole body up to the cap.
    func readBody(_ response: HTTPClientResponse) async throws(UpstreamError) -> [UInt8] {
        let limit = settings.maxMessageBytes
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limit {
            throw UpstreamError(.tooLarge, "upstream '\(settings.name)' sent \(length) bytes, more than the \(limit)-byte limit")
        }
        var bytes: [UInt8] = []
        do {
            for try await chunk in response.body {
                if bytes.count + chunk.readableBytes > limit {
                    throw UpstreamError(.tooLarge, "upstream '\(settings.name)' sent more than the \(limit)-byte limit")
                }
                bytes.append(contentsOf: chunk.readableBytesView)
            }
        } catch {
            throw Self.map(error, upstream: settings.name)
        }
        return bytes
    }

    /// Reads an event stream, handing each event's parsed message to `deliver`, until the stream ends.
    func readEvents(_ response: HTTPClientResponse, deliver: (JSONValue) -> Void, onEventID: ((String) -> Void)? = nil) async throws(UpstreamError) {
        var parser = SSEParser(maxEventBytes: settings.maxMessageBytes)
        do {
            for try await chunk in response.body {
                let events: [SSEParser.Event]
                do { events = try parser.feed(chunk.readableBytesView) } catch {
                    throw UpstreamError(.tooLarge, "upstream '\(settings.name)' sent an event larger than the \(settings.maxMessageBytes)-byte limit")
                }
                for event in events {
                    if let id = event.id { onEventID?(id) }
                    guard event.name == nil || event.name == "message", !event.data.isEmpty else { continue }
                    deliver(try Self.parse(Array(event.data.utf8), upstream: settings.name))
                }
            }
        } catch {
            throw Self.map(error, upstream: settings.name)
        }
    }

    static func parse(_ bytes: [UInt8], upstream: String) throws(UpstreamError) -> JSONValue {
        do {
            return try JSONParser(maxDepth: 128).parse(bytes)
        } catch {
            throw UpstreamError(.protocolError, "upstream '\(upstream)' sent invalid JSON: \(error)")
        }
    }
}

extension HTTPClientResponse {
    /// The media type without parameters, lowercased (ASCII; no Foundation on the hot path).
    var mediaType: String {
        guard let value = headers.first(name: "content-type") else { return "" }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for b in value.utf8 {
            if b == UInt8(ascii: ";") { break }
            if b == 0x20 || b == 0x09 { continue }
            bytes.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Duration {
    /// The same span as a NIO `TimeAmount`.
    var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
