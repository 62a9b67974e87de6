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

    private static func scan(_ value: JSONValue, pointer: String, context: SpecContext, names: Bool = false)
        throws(GatewayError)
    {
        switch value {
        case .object(let object):
            if !names { try refuseExternal(object, at: pointer, context: context) }
            for (key, child) in object {
                let childPointer = JSONPointer.appending(pointer, key)
                if names {
                    try scan(child, pointer: childPointer, context: context)
                    continue
                }
                if DocumentKeys.isLiteral(key) {
                    // Literal data; but `examples` in media types hold Example objects that may hold a `$ref`.
                    if key == "examples", case .object(let examples) = child {
                        for (name, example) in examples {
                            guard case .object(let exampleObject) = example else { continue }
                            try refuseExternal(
                                exampleObject, at: JSONPointer.appending(childPointer, name), context: context)
                        }
                    }
                    continue
                }
                try scan(child, pointer: childPointer, context: context, names: DocumentKeys.isNameMap(key, value: child))
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
        throw context.unsupported(context.externalMessage(ref), at: JSONPointer.appending(pointer, "$ref"))
    }

    /// Why an external `$ref` is not followed, and what to do about it.
    static func externalMessage(_ ref: String) -> String {
        let shown = ref.prefix(200)
        let lower = ref.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") || lower.contains("://") {
            return "external $ref '\(shown)' is a URL, and URLs are never fetched: import a local copy instead "
                + "(a directory, .zip or .tar.gz holding every file, with relative references between them)"
        }
        return "external $ref '\(shown)' points into another file, which a single document cannot reach: import "
            + "the directory, .zip or .tar.gz that holds every file (--from ./spec/ or --from spec.zip)"
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
                throw context.unsupported(context.externalMessage(ref), at: refPointer)
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
