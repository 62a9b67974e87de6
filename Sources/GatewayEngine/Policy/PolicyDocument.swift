import Foundation

/// One scope's policies: the `inbound` section runs before the backend call, `outbound` after it.
///
/// ```yaml
/// inbound:
///   - rate-limit-by-key: { calls: 5, renewal-period: 30, counter-key: client-ip }
///   - validate-jwt: { jwks-uri: https://idp.example/jwks.json, audiences: [https://gw.example/pets/mcp] }
/// outbound:
///   - cache-store: { duration: 60 }
/// ```
public struct PolicyDocument: Sendable, Hashable {
    var inbound: [PolicyStatement]
    var outbound: [PolicyStatement]

    init(inbound: [PolicyStatement] = [], outbound: [PolicyStatement] = []) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// The names of the inbound policies, in the order they run (`rate-limit-by-key`, `validate-jwt`, …).
    public var inboundKinds: [String] { inbound.map(\.kindName) }
    /// The names of the outbound policies, in order.
    public var outboundKinds: [String] { outbound.map(\.kindName) }

    /// Every policy name a document may use, sorted.
    public static var knownPolicies: [String] { PolicyParser.attributes.keys.sorted() }

    /// The policies that belong in the inbound section (the rest, `cache-store`, in outbound).
    public static var inboundPolicies: [String] { PolicyParser.inboundOnly.sorted() }

    /// Parses a document from YAML (or JSON) text. Errors name the section, the index and the attribute.
    public static func parse(yaml text: String, source: String = "policy") throws(GatewayError) -> PolicyDocument {
        let tree: JSONValue
        do {
            tree = try YAMLTreeConverter(sourceName: source).convert(text)
        } catch {
            throw GatewayError(.invalidConfig, error.message, location: error.location ?? source)
        }
        return try parse(tree, source: source)
    }

    /// Parses a document from its JSON tree (`{inbound: [...], outbound: [...]}`).
    public static func parse(_ tree: JSONValue, source: String = "policy") throws(GatewayError) -> PolicyDocument {
        guard case .object(let object) = tree else {
            throw GatewayError(.invalidConfig, "a policy document is a mapping with 'inbound' and/or 'outbound' lists", location: source)
        }
        for key in object.keys where key != "inbound" && key != "outbound" && key != "scope" {
            throw GatewayError(.invalidConfig, "unknown section '\(key.prefix(60))' (expected inbound or outbound)", location: source)
        }
        var parser = PolicyParser(source: source)
        let inbound = try parser.section(object["inbound"], name: "inbound")
        let outbound = try parser.section(object["outbound"], name: "outbound")
        return PolicyDocument(inbound: inbound, outbound: outbound)
    }
}
