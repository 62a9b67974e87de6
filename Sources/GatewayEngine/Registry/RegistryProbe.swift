import Foundation
import Logging
import Store

/// Something the prober connects to: an external entry's remote, or an HTTP upstream.
struct ProbeTarget: Sendable, Equatable {
    var target: RegistryProbeTarget
    /// What the probe depends on: a change (new URL, other transport) probes again at once.
    var signature: String
    /// The settings the channel is built from (an upstream's own, with its headers and credential).
    var settings: UpstreamSettings

    var key: String { target.key }

    /// The target of an external entry's remote (nil unless it has an absolute http(s) URL).
    static func external(name: String, remote: JSONValue, allowPrivateNetwork: Bool, configuration: UpstreamConfiguration) -> ProbeTarget? {
        guard let url = remote["url"]?.stringValue, UpstreamRules.urlProblem(url) == nil, !url.contains("{") else { return nil }
        let transport: UpstreamRecord.Transport = remote["type"]?.stringValue == "sse" ? .sse : .streamable
        let record = UpstreamRecord(id: 0, .init(name: "registry:\(name)", transport: transport, url: url, allowPrivateNetwork: allowPrivateNetwork))
        return ProbeTarget(
            target: .external(name), signature: "\(transport.rawValue) \(url) \(allowPrivateNetwork)",
            settings: UpstreamSettings(record: record, defaults: configuration))
    }
}

extension RegistryProbe {
    /// What to probe: the remote of the latest version of each external entry (Streamable HTTP preferred), and every
    /// HTTP upstream (stdio ones are started on use, never by a probe).
    static func targets(catalog: RegistryCatalog, upstreams: [UpstreamRecord], defaults: UpstreamConfiguration) -> [ProbeTarget] {
        var out: [ProbeTarget] = []
        for e in catalog.entries where e.kind == .external && e.isLatest && e.status != .deleted {
            let remotes = e.server["remotes"]?.arrayValue ?? []
            guard let remote = remotes.first(where: { $0["type"]?.stringValue == "streamable-http" }) ?? remotes.first else { continue }
            if let t = ProbeTarget.external(name: e.name, remote: remote, allowPrivateNetwork: e.allowPrivateNetwork, configuration: defaults) {
                out.append(t)
            }
        }
        for u in upstreams where u.transport != .stdio {
            let signature =
                "\(u.transport.rawValue) \(u.url ?? "") \(u.allowPrivateNetwork) \(u.credential ?? "") \(u.updatedAt.timeIntervalSince1970)"
            out.append(ProbeTarget(target: .upstream(u.name), signature: signature, settings: UpstreamSettings(record: u, defaults: defaults)))
        }
        return out
    }
}

/// What one probe found.
struct ProbeResult: Sendable, Equatable {
    var state: RegistryHealthRecord.State
    var detail: String?
    var latency: Duration?
    var tools: [String]?
    var fingerprint: String?
}

/// One health probe: MCP `initialize`, then every `tools/list` page, through the same channels and SSRF guard as
/// relayed calls, each step bounded by the probe timeout. The session is closed afterwards.
struct RegistryProbe: Sendable {
    var timeout: Duration
    var logger: Logger
    /// `tools/list` pages read at most.
    var maxPages = 20

    func run(_ target: ProbeTarget, channel: any UpstreamChannel) async -> ProbeResult {
        var settings = target.settings
        settings.timeout = timeout
        settings.maxTimeout = timeout
        settings.connectTimeout = min(settings.connectTimeout, timeout)
        let session = UpstreamSession(settings: settings, channel: channel, clientCapabilities: [:], logger: logger)
        let result = await attempt(session)
        await session.close()
        return result
    }

    private func attempt(_ session: UpstreamSession) async -> ProbeResult {
        let started = ContinuousClock.now
        do throws(UpstreamError) {
            try await session.connect()
            let info = session.handshake
            var definitions: [JSONValue] = []
            var cursor: String?
            var detail = [info?.serverInfo["name"]?.stringValue, info?.serverInfo["version"]?.stringValue].compactMap { $0 }.joined(separator: " ")
            detail += (detail.isEmpty ? "" : ", ") + "MCP \(info?.protocolVersion ?? "?")"
            pages: for _ in 0..<maxPages {
                let answer = try await session.request(method: "tools/list", params: cursor.map { ["cursor": .string($0)] }, call: nil)
                guard case .object(let result)? = answer["result"] else {
                    let message = answer["error"]?["message"]?.stringValue ?? "no result"
                    return ProbeResult(
                        state: .reachable, detail: detail + "; tools/list refused: \(message.prefix(200))", latency: ContinuousClock.now - started)
                }
                definitions += result["tools"]?.arrayValue ?? []
                cursor = result["nextCursor"]?.stringValue
                if cursor == nil || cursor == "" { break pages }
            }
            let names = definitions.compactMap { $0["name"]?.stringValue }
            return ProbeResult(
                state: .reachable, detail: detail, latency: ContinuousClock.now - started, tools: names, fingerprint: Self.fingerprint(definitions))
        } catch {
            return ProbeResult(state: Self.classify(error), detail: String(error.message.prefix(300)), latency: ContinuousClock.now - started)
        }
    }

    /// SHA-256 of the tool definitions sorted by name (a renamed, added or changed tool changes it).
    static func fingerprint(_ tools: [JSONValue]) -> String {
        let sorted = tools.sorted { ($0["name"]?.stringValue ?? "") < ($1["name"]?.stringValue ?? "") }
        return Hex.sha256(JSONValue.array(sorted).canonicalString)
    }

    /// 401/403 → auth-required; an HTTP answer that is not MCP (404, 405, a redirect, HTML, bad JSON-RPC) → not-mcp;
    /// no answer (DNS, connection, TLS, timeout, 5xx, 429, an address the SSRF guard refuses) → unreachable.
    static func classify(_ e: UpstreamError) -> RegistryHealthRecord.State {
        if let status = e.httpStatus {
            switch status {
            case 401, 403: return .authRequired
            case 429, 500...: return .unreachable
            default: return .notMCP
            }
        }
        switch e.code {
        case .protocolError, .tooLarge: return .notMCP
        default: return .unreachable
        }
    }
}
