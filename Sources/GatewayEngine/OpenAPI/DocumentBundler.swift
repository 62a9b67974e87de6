import Foundation

/// What the importer keeps of a bundled multi-file document: where inlined parts came from, and why references
/// were not followed. Shared by every copy of a ``SpecContext``.
final class BundleInfo {
    /// Inlined positions of the bundled tree → their pointer under ``DocumentBundler/filesKey``.
    let origin = PointerMap()
    /// `gatehouse-refused:N` markers → why that reference was not followed.
    var refusals: [String: String] = [:]
    /// The files read, by their location names.
    var files: [String] = []
}

/// Bundles a document that references other files of its ``DocumentSet`` into one tree, the way `swagger-cli
/// bundle` or Redocly do, so that the rest of the importer sees local references only:
///
/// - every file reached through a reference is read once (bounded: ``DocumentSet/maxFiles``, bytes) and placed
///   under `x-gatehouse-files/<file>` at the root; a reference `pet.yaml#/Pet` becomes
///   `#/x-gatehouse-files/<dir>~1pet.yaml/Pet`, and a local reference inside that file is rewritten the same way,
///   so recursive schemas stay references (nothing is expanded twice);
/// - a reference where OpenAPI allows none but multi-file documents commonly put one (an operation under a path
///   item, DigitalOcean's 1,300 `get: {$ref: resources/…}`; a `description` that is a string in another file) is
///   replaced by its target;
/// - a reference that leaves the set, is absolute, is a URL (never fetched), or whose file cannot be read or
///   parsed becomes a `gatehouse-refused:N` marker whose reason ``SpecContext/externalMessage(_:)`` reports at
///   the reference, so the operations that need it are skipped with that reason (or the import refused in strict
///   mode).
///
/// Locations keep pointing into the user's own files: a pointer under `x-gatehouse-files/<file>` is shown as
/// `<file>#<pointer>`, and inlined parts map back through ``BundleInfo/origin``.
struct DocumentBundler {
    static let filesKey = "x-gatehouse-files"
    static let refusedScheme = "gatehouse-refused:"
    /// The deepest chain of inlined references (an operation file whose operation is itself a reference…).
    static let maxInlineDepth = 16

    let set: DocumentSet
    let info = BundleInfo()

    private final class State {
        var raw: [String: Result<JSONValue, GatewayError>] = [:]
        var bundled = JSONObject()
        var queue: [String] = []
        var queued: Set<String> = []
        var bytes = 0
    }

    /// Whether a `$ref` names another file (not a local pointer, not a URL).
    static func isRelativeFile(_ ref: String) -> Bool {
        !ref.hasPrefix("#") && !ref.contains("://") && !ref.hasPrefix("//") && !ref.hasPrefix(refusedScheme)
    }

    /// Whether the tree holds a `$ref` to another file (or a URL, which is refused with a reason here too).
    static func referencesOtherFiles(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let object):
            if let ref = object["$ref"]?.stringValue, !ref.hasPrefix("#") { return true }
            return object.contains { !DocumentKeys.isLiteral($0.key) && referencesOtherFiles($0.value) }
        case .array(let array):
            return array.contains(where: referencesOtherFiles)
        default:
            return false
        }
    }

    /// The bundled tree for the root document's `tree`.
    func bundle(_ tree: JSONValue) throws(GatewayError) -> JSONValue {
        let state = State()
        state.raw[set.root] = .success(tree)
        var root = try rewrite(tree, file: set.root, pointer: "", names: false, key: nil, depth: 0, state)
        while !state.queue.isEmpty {
            let path = state.queue.removeFirst()
            guard case .success(let content)? = state.raw[path] else { continue }
            state.bundled[set.display(path)] = try rewrite(
                content, file: path, pointer: Self.filePointer(set.display(path)), names: false, key: nil, depth: 0, state)
        }
        if !state.bundled.isEmpty, case .object(var object) = root {
            object[Self.filesKey] = .object(state.bundled)
            root = .object(object)
        }
        return root
    }

    static func filePointer(_ display: String) -> String {
        JSONPointer.appending("/" + filesKey, display)
    }

    /// A `$ref` to `fragment` (a JSON pointer, possibly empty) inside the bundled file `display`.
    static func localRef(_ display: String, _ fragment: String) -> String {
        "#/" + filesKey + "/" + JSONPointer.escape(display).replacingOccurrences(of: "%", with: "%25") + fragment
    }

    private func rewrite(
        _ value: JSONValue, file: String, pointer: String, names: Bool, key: String?, depth: Int, _ state: State
    ) throws(GatewayError) -> JSONValue {
        switch value {
        case .object(var object):
            if !names, let ref = object["$ref"]?.stringValue {
                if let replaced = try reference(ref, object, file: file, pointer: pointer, key: key, depth: depth, state) {
                    return replaced
                }
            }
            for (childKey, child) in object where names || !DocumentKeys.isLiteral(childKey) {
                guard child.objectValue != nil || child.arrayValue != nil else { continue }
                object[childKey] = try rewrite(
                    child, file: file, pointer: JSONPointer.appending(pointer, childKey),
                    names: !names && DocumentKeys.isNameMap(childKey, value: child), key: names ? nil : childKey,
                    depth: depth, state)
            }
            return .object(object)
        case .array(let array):
            var out: [JSONValue] = []
            out.reserveCapacity(array.count)
            for (index, child) in array.enumerated() {
                out.append(
                    try rewrite(
                        child, file: file, pointer: JSONPointer.appending(pointer, index), names: false, key: nil,
                        depth: depth, state))
            }
            return .array(out)
        default:
            return value
        }
    }

    /// The object with its `$ref` rewritten (or replaced by its target); nil when the reference stays as written.
    private func reference(
        _ ref: String, _ object: JSONObject, file: String, pointer: String, key: String?, depth: Int, _ state: State
    ) throws(GatewayError) -> JSONValue? {
        let hash = ref.firstIndex(of: "#")
        let pathPart = String(ref[..<(hash ?? ref.endIndex)])
        let fragment = hash.map { String(ref[ref.index(after: $0)...]) } ?? ""
        if !pathPart.isEmpty, !Self.isRelativeFile(ref) {
            return ref.contains("://") || ref.hasPrefix("//")
                ? refused(
                    "external $ref '\(ref.prefix(200))' is a URL, and URLs are never fetched: put a copy of that file "
                        + "in the directory or archive and reference it by a relative path", object) : nil
        }
        guard fragment.isEmpty || fragment.hasPrefix("/") else {
            return refused("$ref '\(ref.prefix(200))' names an anchor ('#\(fragment.prefix(60))'); only JSON pointers are followed", object)
        }
        let target: String
        if pathPart.isEmpty {
            target = file
        } else {
            switch DocumentSet.resolve(pathPart, from: file) {
            case .failure(let error): return refused(error.message + " (inside \(set.displayName))", object)
            case .success(let path): target = path
            }
        }
        if target == set.root {
            guard file != set.root else { return nil }
            return replacing(ref: "#" + fragment, in: object)
        }
        let content: JSONValue
        switch load(target, state) {
        case .failure(let error): return refused(error.description, object)
        case .success(let value): content = value
        }
        let tokens = JSONPointer.tokens(ofLocalRef: "#" + fragment) ?? []
        guard let resolved = JSONPointer.resolve(tokens, in: content) else {
            return refused("$ref '\(ref.prefix(200))' does not resolve to anything in \(set.display(target))", object)
        }
        let inline = key.map(OperationCompiler.methods.contains) == true || (resolved.objectValue == nil && resolved.arrayValue == nil)
        guard inline else {
            if state.queued.insert(target).inserted { state.queue.append(target) }
            return replacing(ref: Self.localRef(set.display(target), fragment), in: object)
        }
        guard depth < Self.maxInlineDepth else {
            return refused("$ref '\(ref.prefix(200))' is part of a chain of more than \(Self.maxInlineDepth) references", object)
        }
        info.origin.map(pointer, to: Self.filePointer(set.display(target)) + JSONPointer.pointer(ofLocalRef: "#" + fragment))
        var inlined = try rewrite(resolved, file: target, pointer: pointer, names: false, key: key, depth: depth + 1, state)
        if case .object(var merged) = inlined {
            for (siblingKey, sibling) in object where siblingKey != "$ref" { merged[siblingKey] = sibling }
            inlined = .object(merged)
        }
        return inlined
    }

    private func replacing(ref: String, in object: JSONObject) -> JSONValue {
        var out = object
        out["$ref"] = .string(ref)
        return .object(out)
    }

    /// The object with its `$ref` replaced by a marker whose reason is kept in ``BundleInfo/refusals``.
    private func refused(_ reason: String, _ object: JSONObject) -> JSONValue {
        let marker = Self.refusedScheme + String(info.refusals.count + 1)
        info.refusals[marker] = reason
        return replacing(ref: marker, in: object)
    }

    /// The parsed file at `path`, read once.
    private func load(_ path: String, _ state: State) -> Result<JSONValue, GatewayError> {
        if let cached = state.raw[path] { return cached }
        let result: Result<JSONValue, GatewayError>
        if state.raw.count >= DocumentSet.maxFiles {
            result = .failure(GatewayError(.invalidSpec, "more than \(DocumentSet.maxFiles) files are referenced; '\(path)' is not read"))
        } else {
            do throws(GatewayError) {
                let data = try set.read(path)
                state.bytes += data.count
                guard state.bytes <= DocumentSet.maxTotalBytes else {
                    throw GatewayError(.invalidSpec, "the referenced files exceed \(DocumentSet.maxTotalBytes) bytes; '\(path)' is not read")
                }
                result = .success(try SourceLoader(sourceName: set.display(path)).load(data))
                info.files.append(set.display(path))
            } catch {
                result = .failure(
                    error.location == nil
                        ? GatewayError(error.code, error.message, location: set.display(path)) : error)
            }
        }
        state.raw[path] = result
        return result
    }
}
