import AsyncHTTPClient
import Foundation
import Logging
import Store

/// Reads an upstream's tools (every `tools/list` page, bounded), fingerprints each definition, records them (first
/// seen: approved; changed: held back until an admin approves; gone: removed) and logs every change.
struct UpstreamDiscovery: Sendable {
    let store: GatewayStore
    let configuration: UpstreamConfiguration
    let logger: Logger

    func discover(session: UpstreamSession) async throws(UpstreamError) -> UpstreamDiscoveryReport {
        let name = session.settings.name
        guard let handshake = session.handshake else { throw UpstreamError(.unavailable, "upstream '\(name)' is not initialized") }
        var seen: [SeenUpstreamTool] = []
        var names: Set<String> = []
        if handshake.capabilities["tools"] != nil {
            var cursor: JSONValue?
            var pages = 0
            repeat {
                pages += 1
                let answer = try await session.request(method: "tools/list", params: cursor.map { ["cursor": $0] }, call: nil)
                guard case .object(let result)? = answer["result"], case .array(let tools)? = result["tools"] else {
                    throw UpstreamError(
                        .protocolError,
                        "upstream '\(name)' answered tools/list without a tools array: \(UpstreamSession.describeError(answer["error"]))")
                }
                for case .object(let tool) in tools {
                    guard case .string(let toolName)? = tool["name"], !toolName.isEmpty, toolName.utf8.count <= 128 else {
                        logger.warning("upstream listed a tool without a usable name; ignored", metadata: ["upstream": "\(name)"])
                        continue
                    }
                    guard names.insert(toolName).inserted else { continue }
                    let definition = ToolFingerprint.canonical(tool)
                    seen.append(
                        SeenUpstreamTool(
                            name: toolName, fingerprint: ToolFingerprint.fingerprint(tool), definition: definition.jsonString,
                            flags: ToolFingerprint.flags(tool)))
                    if seen.count >= configuration.maxTools { break }
                }
                cursor = result["nextCursor"].flatMap { $0.isNull ? nil : $0 }
            } while cursor != nil && pages < 1000 && seen.count < configuration.maxTools
        }
        let changes: [UpstreamToolChange]
        let tools: [UpstreamToolRecord]
        do {
            changes = try store.recordUpstreamTools(upstream: name, seen: seen)
            tools = try store.upstreamTools(upstream: name)
        } catch {
            throw UpstreamError(.unavailable, "could not record the tools of upstream '\(name)': \(error.message)")
        }
        for change in changes {
            switch change.kind {
            case .flagged:
                logger.warning(
                    "new upstream tool has suspicious text; held back until approved (gatehouse upstream approve \(name) --tool \(change.tool))",
                    metadata: ["upstream": "\(name)", "tool": "\(change.tool)"])
            case .changed:
                logger.warning(
                    "upstream tool definition changed; held back until approved (gatehouse upstream approve \(name) --tool \(change.tool))",
                    metadata: ["upstream": "\(name)", "tool": "\(change.tool)"])
            case .added, .removed, .restored:
                logger.info("upstream tool \(change.kind.rawValue)", metadata: ["upstream": "\(name)", "tool": "\(change.tool)"])
            }
        }
        for tool in seen where !tool.flags.isEmpty {
            logger.warning(
                "upstream tool definition has suspicious content",
                metadata: ["upstream": "\(name)", "tool": "\(tool.name)", "flags": "\(tool.flags.joined(separator: "; "))"])
        }
        return UpstreamDiscoveryReport(
            upstream: name, serverName: handshake.serverInfo["name"]?.stringValue, serverVersion: handshake.serverInfo["version"]?.stringValue,
            protocolVersion: handshake.protocolVersion, capabilities: handshake.capabilities.keys.sorted(), tools: tools, changes: changes)
    }

    /// Runs `body` with a discovery environment of its own (HTTP client, credentials), shut down afterwards.
    static func withStandalone<T: Sendable>(
        store: GatewayStore, logger: Logger, _ body: (UpstreamHub) async throws(UpstreamError) -> T
    ) async throws(UpstreamError) -> T {
        let credentials = CredentialManager(
            store: store, http: PinnedHTTPClient(http: .init(redirectConfiguration: .disallow)), environment: ProcessInfo.processInfo.environment,
            logger: logger)
        let hub = UpstreamHub(store: store, configuration: UpstreamConfiguration(), credentials: credentials, logger: logger)
        do throws(StoreError) {
            let records = try store.upstreams()
            hub.update(Dictionary(uniqueKeysWithValues: records.map { ($0.name, $0) }), inUse: [])
        } catch {
            await hub.shutdown()
            try? await credentials.oauth.http.shutdown()
            throw UpstreamError(.unavailable, error.message)
        }
        do throws(UpstreamError) {
            let value = try await body(hub)
            await hub.shutdown()
            try? await credentials.oauth.http.shutdown()
            return value
        } catch {
            await hub.shutdown()
            try? await credentials.oauth.http.shutdown()
            throw error
        }
    }
}
