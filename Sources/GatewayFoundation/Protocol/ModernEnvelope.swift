import Foundation

/// What a request of the stateless revision (2026-07-28) carries about its client in `params._meta`, once it passed
/// the revision's checks (``ModernEnvelope/classify(method:params:headers:)``): there is no session, so every
/// request names its protocol version, client and capabilities itself.
package struct ModernEnvelope: Sendable, Equatable {
    package static let versionKey = "io.modelcontextprotocol/protocolVersion"
    package static let clientInfoKey = "io.modelcontextprotocol/clientInfo"
    package static let capabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    package static let logLevelKey = "io.modelcontextprotocol/logLevel"
    package static let serverInfoKey = "io.modelcontextprotocol/serverInfo"
    package static let subscriptionIDKey = "io.modelcontextprotocol/subscriptionId"

    package static let methodHeader = "Mcp-Method"
    package static let nameHeader = "Mcp-Name"
    package static let paramHeaderPrefix = "Mcp-Param-"

    /// The methods whose `params` member is mirrored in `Mcp-Name`, and that member.
    package static let nameBearing: [String: String] = ["tools/call": "name", "prompts/get": "name", "resources/read": "uri"]

    package var protocolVersion: String
    /// `clientInfo` as sent (optional in the revision).
    package var clientInfo: JSONValue?
    package var clientCapabilities: JSONObject

    package init(protocolVersion: String, clientInfo: JSONValue? = nil, clientCapabilities: JSONObject = [:]) {
        self.protocolVersion = protocolVersion
        self.clientInfo = clientInfo
        self.clientCapabilities = clientCapabilities
    }

    /// A refusal of the revision's checks: a JSON-RPC error code (`-32602`, `-32020 HeaderMismatch`, `-32022
    /// UnsupportedProtocolVersion`) and a message naming what is wrong.
    package struct Refusal: Error, Sendable, Equatable {
        package var code: Int64
        package var message: String
        package var data: JSONValue?

        package init(code: Int64, message: String, data: JSONValue? = nil) {
            self.code = code
            self.message = message
            self.data = data
        }

        package var rpcError: JSONRPCError { JSONRPCError(code: code, message: message, data: data) }
    }

    /// Whether a POST is to be served by the stateless revision: its `MCP-Protocol-Version` names a revision that
    /// is not one of the handshake era (an unknown one included, so that it is answered with the supported list),
    /// or it has none but its `_meta` names a protocol version (then the missing header is the client's error).
    /// `initialize` stays with the handshake era unless its `_meta` says otherwise.
    package static func isModern(headerVersion: String?, method: String?, params: JSONObject?) -> Bool {
        let metaVersion = params?["_meta"]?[versionKey]
        if let headerVersion {
            if MCPProtocol.handshakeVersions.contains(headerVersion) { return false }
            return method != "initialize" || metaVersion != nil
        }
        return metaVersion != nil
    }

    /// Whether a GET or DELETE belongs to the stateless revision (which has neither).
    package static func isModern(headerVersion: String?) -> Bool {
        guard let headerVersion else { return false }
        return !MCPProtocol.handshakeVersions.contains(headerVersion)
    }

    /// Checks a request of the stateless revision, in the revision's order: the envelope in `_meta` (else
    /// `-32602`), the routing headers against the body (`MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name`, each
    /// present once; else `-32020`), then the version (else `-32022` with the supported revisions).
    /// `headers` gives every value of a header name (case-insensitive).
    package static func classify(method: String, params: JSONObject?, headers: (String) -> [String]) -> Result<ModernEnvelope, Refusal> {
        guard let meta = params?["_meta"]?.objectValue else {
            return .failure(
                Refusal(code: MCPProtocol.invalidParams, message: "params._meta must be an object carrying '\(versionKey)' and '\(capabilitiesKey)'"))
        }
        let missing = [versionKey, capabilitiesKey].filter { meta[$0] == nil }
        if !missing.isEmpty {
            return .failure(Refusal(code: MCPProtocol.invalidParams, message: "params._meta is missing \(missing.joined(separator: " and "))"))
        }
        for name in [MCPProtocol.versionHeader, methodHeader, nameHeader] where headers(name).count > 1 {
            return .failure(Refusal(code: MCPProtocol.headerMismatch, message: "Header mismatch: \(name) appears more than once"))
        }
        let version = meta[versionKey]
        guard let header = headers(MCPProtocol.versionHeader).first else {
            return .failure(Refusal(code: MCPProtocol.headerMismatch, message: "Header mismatch: the \(MCPProtocol.versionHeader) header is missing"))
        }
        guard version?.stringValue == header else {
            return .failure(
                Refusal(
                    code: MCPProtocol.headerMismatch,
                    message:
                        "Header mismatch: \(MCPProtocol.versionHeader) header value '\(clip(header))' does not match _meta value \(clip(version?.jsonString ?? "null"))"
                ))
        }
        guard let methodValue = headers(methodHeader).first else {
            return .failure(Refusal(code: MCPProtocol.headerMismatch, message: "Header mismatch: the \(methodHeader) header is missing"))
        }
        guard methodValue == method else {
            return .failure(
                Refusal(
                    code: MCPProtocol.headerMismatch,
                    message: "Header mismatch: \(methodHeader) header value '\(clip(methodValue))' does not match body value '\(clip(method))'"))
        }
        if let key = nameBearing[method], let bodyValue = params?[key]?.stringValue {
            guard let raw = headers(nameHeader).first else {
                return .failure(Refusal(code: MCPProtocol.headerMismatch, message: "Header mismatch: the \(nameHeader) header is missing"))
            }
            guard let decoded = decodeHeaderValue(raw) else {
                return .failure(Refusal(code: MCPProtocol.headerMismatch, message: "Header mismatch: \(nameHeader) carries a malformed base64 value"))
            }
            guard decoded == bodyValue else {
                return .failure(
                    Refusal(
                        code: MCPProtocol.headerMismatch,
                        message: "Header mismatch: \(nameHeader) header value '\(clip(decoded))' does not match body value '\(clip(bodyValue))'"))
            }
        }
        if let refusal = unsupported(header) { return .failure(refusal) }
        return .success(
            ModernEnvelope(protocolVersion: header, clientInfo: meta[clientInfoKey], clientCapabilities: meta[capabilitiesKey]?.objectValue ?? [:]))
    }

    /// The params without the envelope's keys in `_meta` (version, client, capabilities, log level), as they go on
    /// to an upstream, which gets its own (a handshake-era upstream refuses a request that carries them). Other
    /// `_meta` keys (`progressToken`, trace context) stay.
    package static func strippingEnvelope(_ params: JSONObject?) -> JSONObject? {
        guard var params, var meta = params["_meta"]?.objectValue else { return params }
        for key in [versionKey, clientInfoKey, capabilitiesKey, logLevelKey] { meta[key] = nil }
        params["_meta"] = meta.isEmpty ? nil : .object(meta)
        return params
    }

    /// The `-32022` refusal for a revision the gateway does not serve statelessly, nil for one it does. Its data
    /// lists every revision served (the stateless ones and those of the handshake), so a client that speaks an older
    /// one knows to fall back to `initialize`.
    package static func unsupported(_ requested: String) -> Refusal? {
        if MCPProtocol.modernVersions.contains(requested) { return nil }
        let supported = MCPProtocol.modernVersions + MCPProtocol.streamableVersions
        return Refusal(
            code: MCPProtocol.unsupportedProtocolVersion, message: "Unsupported protocol version",
            data: .object(["supported": .array(supported.map { .string($0) }), "requested": .string(clip(requested))]))
    }

    /// Decodes a header value that may use the revision's Base64 sentinel (`=?base64?…?=`); nil when the sentinel
    /// is malformed (not canonical Base64, or not UTF-8), so that a corrupt header never matches by accident.
    package static func decodeHeaderValue(_ raw: String) -> String? {
        guard raw.hasPrefix("=?base64?"), raw.hasSuffix("?="), raw.count >= 11 else { return raw }
        let payload = String(raw.dropFirst(9).dropLast(2))
        guard let data = Data(base64Encoded: payload), data.base64EncodedString() == payload else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// A value as a header carries it: as is when it is printable ASCII without edge whitespace, else (and when it
    /// looks like the sentinel itself) Base64 in the revision's sentinel `=?base64?…?=`.
    package static func encodeHeaderValue(_ value: String) -> String {
        let plain = value.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E } && value.first != " " && value.last != " "
        if plain && !(value.hasPrefix("=?base64?") && value.hasSuffix("?=")) { return value }
        return "=?base64?" + Data(value.utf8).base64EncodedString() + "?="
    }

    /// The routing headers of a request sent to a stateless-revision server: `MCP-Protocol-Version`,
    /// `Mcp-Method`, `Mcp-Name` where the method has one, and `Mcp-Param-*` for the arguments its tool declares.
    package static func routingHeaders(
        version: String, method: String, params: JSONObject?, declared: [ParamHeader] = []
    ) -> [(name: String, value: String)] {
        var headers: [(String, String)] = [(MCPProtocol.versionHeader, version), (methodHeader, method)]
        if let key = nameBearing[method], let name = params?[key]?.stringValue { headers.append((nameHeader, encodeHeaderValue(name))) }
        let arguments = params?["arguments"]
        for p in declared {
            var node = arguments
            for key in p.path { node = node?[key] }
            let rendered: String?
            switch node {
            case .string(let s): rendered = s
            case .bool(let b): rendered = b ? "true" : "false"
            case .int(let i): rendered = String(i)
            case .double(let d): rendered = d.rounded() == d && abs(d) < 9e15 ? String(Int64(d)) : String(d)
            default: rendered = nil
            }
            if let rendered { headers.append((paramHeaderPrefix + p.token, encodeHeaderValue(rendered))) }
        }
        return headers
    }

    /// Params with the envelope a stateless-revision server needs in `_meta`: the version, the gateway's identity
    /// and the capabilities of the client the call is for (what the server may ask it through the gateway).
    package static func addingEnvelope(
        _ params: JSONObject?, version: String, clientInfo: JSONValue, capabilities: JSONObject = [:]
    ) -> JSONObject {
        var params = params ?? [:]
        var meta = params["_meta"]?.objectValue ?? [:]
        meta[versionKey] = .string(version)
        meta[clientInfoKey] = clientInfo
        meta[capabilitiesKey] = .object(capabilities)
        params["_meta"] = .object(meta)
        return params
    }

    private static func clip(_ s: String) -> String { s.count > 80 ? String(s.prefix(80)) + "…" : s }
}
