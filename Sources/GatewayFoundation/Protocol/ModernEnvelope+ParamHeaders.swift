import Foundation

/// `x-mcp-header`: a tool's input schema may name arguments that clients mirror into `Mcp-Param-{name}` headers,
/// so routing intermediaries can see them; whoever reads the body checks the two agree.
extension ModernEnvelope {
    package static let headerAnnotation = "x-mcp-header"

    /// One annotated argument: its path of `properties` keys, its header token and its schema type.
    package struct ParamHeader: Sendable, Equatable {
        package var path: [String]
        package var token: String
        package var type: String?

        package init(path: [String], token: String, type: String?) {
            self.path = path
            self.token = token
            self.type = type
        }
    }

    /// The annotated arguments of a schema, or the reason the annotations are invalid (an annotation off a pure
    /// `properties` chain, not an RFC 9110 token, on a type other than string, integer or boolean, or a token used
    /// twice ignoring case) — clients drop such a tool, so nothing is validated for it.
    package static func paramHeaders(of schema: JSONValue) -> Result<[ParamHeader], Refusal> {
        var found: [ParamHeader] = []
        var seen: [String: String] = [:]
        var stack: [([String]?, JSONValue)] = [([], schema)]
        let single: Set<String> = [
            "items", "contains", "unevaluatedItems", "additionalProperties", "propertyNames", "unevaluatedProperties", "not", "if", "then",
            "else", "contentSchema",
        ]
        let list: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
        let map: Set<String> = ["patternProperties", "dependentSchemas", "$defs", "definitions"]
        func invalid(_ why: String) -> Result<[ParamHeader], Refusal> { .failure(Refusal(code: MCPProtocol.invalidParams, message: why)) }
        var visited = 0
        while let (path, node) = stack.popLast() {
            visited += 1
            guard visited < 100_000, case .object(let o) = node else { continue }
            if let annotation = o[headerAnnotation] {
                guard let path, !path.isEmpty else { return invalid("\(headerAnnotation) on a schema position not reached by properties alone") }
                let at = path.joined(separator: ".")
                guard let token = annotation.stringValue, isToken(token) else {
                    return invalid("property '\(at)': \(headerAnnotation) is not a token")
                }
                guard let type = o["type"]?.stringValue, ["string", "integer", "boolean"].contains(type) else {
                    return invalid("property '\(at)': \(headerAnnotation) only on string, integer or boolean properties")
                }
                if let other = seen[token.lowercased()] { return invalid("property '\(at)': \(headerAnnotation) '\(token)' repeats '\(other)'") }
                seen[token.lowercased()] = at
                found.append(ParamHeader(path: path, token: token, type: type))
            }
            for (key, value) in o {
                if key == "properties", case .object(let props) = value {
                    for (name, sub) in props { stack.append((path.map { $0 + [name] }, sub)) }
                } else if single.contains(key) {
                    stack.append((nil, value))
                } else if list.contains(key), case .array(let subs) = value {
                    stack.append(contentsOf: subs.map { (nil, $0) })
                } else if map.contains(key), case .object(let subs) = value {
                    stack.append(contentsOf: subs.map { (nil, $0.value) })
                }
            }
        }
        return .success(found.sorted { $0.token < $1.token })
    }

    /// Checks a `tools/call`'s `Mcp-Param-*` headers against its arguments: for every annotated argument, header
    /// and value are present together and equal (after Base64 decoding; integers compared as numbers), or both
    /// absent (`null` counts as absent). `-32020` naming the header otherwise.
    package static func checkParamHeaders(_ declared: [ParamHeader], arguments: JSONObject, headers: (String) -> [String]) -> Refusal? {
        for p in declared {
            let name = paramHeaderPrefix + p.token
            let values = headers(name)
            var node: JSONValue? = .object(arguments)
            for key in p.path { node = node?[key] }
            let value = node.flatMap { $0.isNull ? nil : $0 }
            if values.count > 1 { return Refusal(code: MCPProtocol.headerMismatch, message: "Header mismatch: \(name) appears more than once") }
            let argument = p.path.joined(separator: ".")
            guard let value else {
                if !values.isEmpty {
                    return Refusal(
                        code: MCPProtocol.headerMismatch, message: "Header mismatch: \(name) is present but argument '\(argument)' is absent")
                }
                continue
            }
            guard let raw = values.first else {
                return Refusal(code: MCPProtocol.headerMismatch, message: "Header mismatch: \(name) is missing but argument '\(argument)' is present")
            }
            guard let decoded = decodeHeaderValue(raw) else {
                return Refusal(code: MCPProtocol.headerMismatch, message: "Header mismatch: \(name) carries a malformed base64 value")
            }
            if !matches(value, decoded) {
                return Refusal(code: MCPProtocol.headerMismatch, message: "Header mismatch: \(name) does not match argument '\(argument)'")
            }
        }
        return nil
    }

    private static func matches(_ value: JSONValue, _ header: String) -> Bool {
        switch value {
        case .string(let s): return s == header
        case .bool(let b): return header == (b ? "true" : "false")
        case .int, .double:
            guard let h = Double(header.trimmingCharacters(in: .whitespaces)), let v = value.doubleValue else { return false }
            return h == v
        default: return false
        }
    }

    private static func isToken(_ s: String) -> Bool {
        !s.isEmpty
            && s.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || "!#$%&'*+-.^_`|~".utf8.contains(c)
            }
    }
}
