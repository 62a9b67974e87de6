import Foundation

/// Finds and follows `$ref`s inside one document. Only local pointers (`#/...`) are followed; nothing is ever
/// fetched or read from disk.
struct ReferenceResolver {
    /// The longest chain of `$ref` → `$ref` followed for a non-schema object.
    static let maxChain = 32

    let context: SpecContext

    /// Refuses the document when any `$ref` (outside literal data such as examples) is not a local pointer.
    static func refuseExternalReferences(in root: JSONValue, context: SpecContext) throws(GatewayError) {
        try scan(root, pointer: "", context: context)
    }

    /// Keys whose values are literal data (`default` is too, but `responses.default` is a response: objects under
    /// `default` are scanned).
    private static let literalKeys: Set<String> = ["example", "examples", "enum", "const"]

    private static func scan(_ value: JSONValue, pointer: String, context: SpecContext) throws(GatewayError) {
        switch value {
        case .object(let object):
            try refuseExternal(object, at: pointer, context: context)
            for (key, child) in object {
                if key == "default", child.objectValue == nil { continue }
                if literalKeys.contains(key) || key.hasPrefix("x-") {
                    // Literal data; but `examples` in media types hold Example objects that may hold a `$ref`.
                    if key == "examples", case .object(let examples) = child {
                        for (name, example) in examples {
                            guard case .object(let exampleObject) = example else { continue }
                            let at = JSONPointer.appending(JSONPointer.appending(pointer, key), name)
                            try refuseExternal(exampleObject, at: at, context: context)
                        }
                    }
                    continue
                }
                try scan(child, pointer: JSONPointer.appending(pointer, key), context: context)
            }
        case .array(let array):
            for (index, child) in array.enumerated() {
                try scan(child, pointer: JSONPointer.appending(pointer, index), context: context)
            }
        default:
            break
        }
    }

    private static func refuseExternal(_ object: JSONObject, at pointer: String, context: SpecContext)
        throws(GatewayError)
    {
        guard let ref = object["$ref"]?.stringValue, !JSONPointer.isLocal(ref) else { return }
        throw context.unsupported(
            "external $ref '\(ref.prefix(200))' is not supported: only local references (#/...) are resolved, "
                + "and files and URLs are never fetched",
            at: JSONPointer.appending(pointer, "$ref"))
    }

    /// Follows a (possibly chained) `$ref` on a non-schema object (parameter, request body, response, path item,
    /// header). Returns the target and its pointer; `value` itself when it has no `$ref`.
    ///
    /// In a path item, sibling keys of `$ref` override the target's (both are merged).
    func dereference(_ value: JSONValue, at pointer: String, what: String) throws(GatewayError)
        -> (value: JSONValue, pointer: String)
    {
        var current = value
        var currentPointer = pointer
        var visited: Set<String> = []
        var siblings = JSONObject()
        while case .object(let object) = current, let ref = object["$ref"]?.stringValue {
            for (key, child) in object where key != "$ref" && siblings[key] == nil { siblings[key] = child }
            let refPointer = JSONPointer.appending(currentPointer, "$ref")
            guard let tokens = JSONPointer.tokens(ofLocalRef: ref) else {
                throw context.unsupported(
                    "external $ref '\(ref.prefix(200))' is not supported: only local references (#/...) are resolved",
                    at: refPointer)
            }
            guard visited.insert(ref).inserted, visited.count <= Self.maxChain else {
                throw context.invalid("circular $ref '\(ref)' for a \(what)", at: refPointer)
            }
            guard let target = JSONPointer.resolve(tokens, in: context.root) else {
                throw context.invalid("$ref '\(ref)' does not resolve to anything in the document", at: refPointer)
            }
            current = target
            currentPointer = JSONPointer.pointer(ofLocalRef: ref)
        }
        if !siblings.isEmpty, case .object(var object) = current {
            for (key, child) in siblings { object[key] = child }
            current = .object(object)
        }
        return (current, currentPointer)
    }

    /// Like ``dereference(_:at:what:)`` but requires an object.
    func dereferenceObject(_ value: JSONValue, at pointer: String, what: String) throws(GatewayError)
        -> (object: JSONObject, pointer: String)
    {
        let (resolved, resolvedPointer) = try dereference(value, at: pointer, what: what)
        guard case .object(let object) = resolved else {
            throw context.invalid("\(what) must be an object", at: resolvedPointer)
        }
        return (object, resolvedPointer)
    }
}
