import Foundation
import Yams

/// Converts YAML text to a `JSONValue` tree with the YAML 1.2 core schema (as most OpenAPI tools read YAML:
/// `yes`/`on` stay strings), merge keys (`<<`) applied, and bounded alias expansion.
///
/// Yams composes aliases by sharing nodes, so composing is linear; expanding them into a tree is where an alias
/// bomb would explode, so expansion counts alias uses and nodes and refuses past ``maxAliasUses`` /
/// ``maxNodes``.
package struct YAMLTreeConverter {
    /// The most alias uses (nested ones included) the converter expands.
    static let maxAliasUses = 1_000
    /// The most JSON nodes a YAML document may expand to.
    static let maxNodes = 4_000_000
    /// The deepest nesting accepted (the limit the OpenAPI source loader applies to JSON documents).
    package static let maxDepth = 200

    /// Keys whose plain scalar values stay strings even when they look like numbers (`version: 1.0`).
    static let stringKeys: Set<String> = [
        "openapi", "swagger", "version", "title", "summary", "description", "operationId", "url", "$ref", "host",
        "basePath", "pattern",
    ]
    /// Keys whose values are literal data (where ``stringKeys`` does not apply).
    static let literalKeys: Set<String> = ["example", "examples", "default", "enum", "const", "value"]

    let sourceName: String

    /// A converter whose errors name `sourceName` (a file, or a policy scope).
    package init(sourceName: String) { self.sourceName = sourceName }

    private final class State {
        var seenAnchors = Set<ObjectIdentifier>()
        var aliasUses = 0
        var nodes = 0
    }

    /// Parses and converts one YAML document.
    package func convert(_ text: String) throws(GatewayError) -> JSONValue {
        do {
            let parser = try Parser(yaml: text, resolver: .basic)
            // Anchors are weakly held by nodes and owned by the parser: convert while it is alive.
            return try withExtendedLifetime(parser) { () throws -> JSONValue in
                guard let root = try parser.singleRoot() else {
                    throw GatewayError(.invalidSpec, "document is empty", location: sourceName)
                }
                return try value(of: root, depth: 0, literal: false, key: nil, state: State())
            }
        } catch let error as GatewayError {
            throw error
        } catch let error as YamlError {
            throw describe(error)
        } catch {
            throw GatewayError(.invalidSpec, "invalid YAML: \(error)", location: sourceName)
        }
    }

    private func describe(_ error: YamlError) -> GatewayError {
        func located(_ problem: String, _ context: YamlError.Context?, _ mark: Mark) -> GatewayError {
            var message = "invalid YAML: \(problem)"
            if let context { message += " (\(context.text) at line \(context.mark.line))" }
            return GatewayError(.invalidSpec, message, location: "\(sourceName):\(mark.line):\(mark.column)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            return located(problem, context, mark)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return located("duplicated mapping key \(duplicates.joined(separator: ", "))", nil, context.mark)
        case .reader(let problem, let offset, _, _):
            return GatewayError(
                .invalidSpec, "invalid YAML: \(problem)",
                location: offset.map { "\(sourceName): character \($0)" } ?? sourceName)
        default:
            return GatewayError(.invalidSpec, "invalid YAML: \(error)", location: sourceName)
        }
    }

    private func fail(_ message: String, _ node: Node) -> GatewayError {
        let location = node.mark.map { "\(sourceName):\($0.line):\($0.column)" } ?? sourceName
        return GatewayError(.invalidSpec, message, location: location)
    }

    private func value(of node: Node, depth: Int, literal: Bool, key: String?, state: State) throws(GatewayError)
        -> JSONValue
    {
        state.nodes += 1
        guard state.nodes <= Self.maxNodes else {
            throw fail("YAML expands to more than \(Self.maxNodes) nodes", node)
        }
        guard depth <= Self.maxDepth else {
            throw fail("YAML nesting is deeper than \(Self.maxDepth) levels", node)
        }
        if let anchor = node.anchor, !state.seenAnchors.insert(ObjectIdentifier(anchor)).inserted {
            state.aliasUses += 1
            guard state.aliasUses <= Self.maxAliasUses else {
                throw fail("YAML uses more than \(Self.maxAliasUses) aliases (alias expansion refused)", node)
            }
        }
        switch node {
        case .scalar(let scalar):
            let keepString = !literal && key.map { Self.stringKeys.contains($0) } == true
            return Self.scalarValue(scalar, keepString: keepString)
        case .sequence(let sequence):
            var out: [JSONValue] = []
            out.reserveCapacity(sequence.count)
            for element in sequence {
                out.append(try value(of: element, depth: depth + 1, literal: literal, key: nil, state: state))
            }
            return .array(out)
        case .mapping(let mapping):
            return .object(try object(of: mapping, depth: depth, literal: literal, state: state))
        case .alias:
            throw fail("unresolved YAML alias", node)
        }
    }

    private func object(of mapping: Node.Mapping, depth: Int, literal: Bool, state: State) throws(GatewayError)
        -> JSONObject
    {
        var out = JSONObject()
        var merged: [JSONObject] = []
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                throw fail("YAML mapping keys must be scalars", keyNode)
            }
            let key = keyScalar.string
            if key == "<<", keyScalar.style == .plain || keyScalar.style == .any {
                for source in [valueNode] + (valueNode.sequence.map(Array.init) ?? []) {
                    guard case .mapping(let m) = source else { continue }
                    merged.append(try object(of: m, depth: depth + 1, literal: literal, state: state))
                }
                continue
            }
            let childLiteral = literal || Self.literalKeys.contains(key) || key.hasPrefix("x-")
            out[key] = try value(of: valueNode, depth: depth + 1, literal: childLiteral, key: key, state: state)
        }
        for source in merged {
            for (k, v) in source where out[k] == nil { out[k] = v }
        }
        return out
    }

    /// Resolves a scalar with the YAML 1.2 core schema (explicit `!!str`/`!!int`/... tags honoured).
    static func scalarValue(_ scalar: Node.Scalar, keepString: Bool) -> JSONValue {
        let text = scalar.string
        let tag = scalar.tag.rawValue
        let plain = scalar.style == .plain || scalar.style == .any
        switch tag {
        case "":
            guard plain, !keepString else { return .string(text) }
            return coreSchemaValue(text)
        case Tag.Name.int.rawValue, Tag.Name.float.rawValue, Tag.Name.bool.rawValue, Tag.Name.null.rawValue:
            return coreSchemaValue(text)
        default:
            return .string(text)
        }
    }

    /// The YAML 1.2 core schema value of a plain scalar.
    static func coreSchemaValue(_ text: String) -> JSONValue {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        guard let first = text.utf8.first,
            first == UInt8(ascii: "-") || first == UInt8(ascii: "+") || first == UInt8(ascii: ".")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else { return .string(text) }
        if text.hasPrefix("0x"), let i = Int64(text.dropFirst(2), radix: 16) { return .int(i) }
        if text.hasPrefix("0o"), let i = Int64(text.dropFirst(2), radix: 8) { return .int(i) }
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        if !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            if let i = Int64(text.hasPrefix("+") ? String(digits) : text) { return .int(i) }
            if let d = Double(text) { return .double(d) }
        }
        if isCoreFloat(digits), let d = Double(text), d.isFinite { return .double(d) }
        return .string(text)
    }

    /// Matches `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` (sign already removed).
    private static func isCoreFloat(_ s: Substring) -> Bool {
        let bytes = Array(s.utf8)
        var i = 0
        func digits() -> Int {
            let start = i
            while i < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[i]) { i += 1 }
            return i - start
        }
        let intDigits = digits()
        var fracDigits = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            fracDigits = digits()
        }
        guard intDigits > 0 || fracDigits > 0 else { return false }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == bytes.count
    }
}
