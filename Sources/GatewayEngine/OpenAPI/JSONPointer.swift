import Foundation

/// RFC 6901 JSON pointers, as used in local `$ref`s (`#/components/schemas/Pet`) and in error locations.
enum JSONPointer {
    /// Escapes one reference token (`~` → `~0`, `/` → `~1`).
    static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        return token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    /// Appends a token to a pointer (`""` is the root).
    static func appending(_ pointer: String, _ token: String) -> String {
        pointer + "/" + escape(token)
    }

    /// Appends an array index to a pointer.
    static func appending(_ pointer: String, _ index: Int) -> String {
        pointer + "/" + String(index)
    }

    /// Whether a `$ref` string is a local reference into the same document (`#` or `#/...`).
    static func isLocal(_ ref: String) -> Bool {
        ref == "#" || ref.hasPrefix("#/")
    }

    /// The tokens of a local `$ref` (`#/a/b~1c` → `["a", "b/c"]`), percent-decoded; nil when not local.
    static func tokens(ofLocalRef ref: String) -> [String]? {
        guard isLocal(ref) else { return nil }
        let body = ref.dropFirst(2)
        if ref == "#" { return [] }
        return body.split(separator: "/", omittingEmptySubsequences: false).map { raw in
            var token = String(raw)
            if token.utf8.contains(UInt8(ascii: "%")) { token = token.removingPercentEncoding ?? token }
            guard token.utf8.contains(UInt8(ascii: "~")) else { return token }
            return token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    /// The pointer text (`/a/b~1c`) for a local `$ref`.
    static func pointer(ofLocalRef ref: String) -> String {
        guard let tokens = tokens(ofLocalRef: ref) else { return ref }
        return tokens.reduce("") { appending($0, $1) }
    }

    /// Looks up the value the tokens name in `root`; nil when any step is missing.
    static func resolve(_ tokens: [String], in root: JSONValue) -> JSONValue? {
        var current = root
        for token in tokens {
            switch current {
            case .object(let o):
                guard let next = o[token] else { return nil }
                current = next
            case .array(let a):
                guard let i = Int(token), i >= 0, i < a.count, String(i) == token else { return nil }
                current = a[i]
            default:
                return nil
            }
        }
        return current
    }
}

/// What the importer knows about the document while compiling it: the raw tree, its name (for error locations)
/// and the schema dialect.
struct SpecContext {
    /// How schemas in the document are written.
    enum Dialect {
        /// OpenAPI 3.0 (and Swagger 2.0 after conversion): `nullable`, boolean `exclusiveMinimum`, siblings of
        /// `$ref` ignored.
        case openAPI30
        /// OpenAPI 3.1+: JSON Schema 2020-12.
        case openAPI31
    }

    /// The whole document as a JSON tree (for Swagger 2.0: the converted OpenAPI 3.0 tree).
    let root: JSONValue
    /// The file path or URL, used as the error location prefix.
    let sourceName: String
    /// The schema dialect.
    let dialect: Dialect
    /// For a converted tree: where its pointers come from in the user's document.
    var origin: PointerMap? = nil
    /// Where findings go.
    var diagnostics = ImportDiagnostics()
    /// For a document bundled from several files: where inlined parts came from and why references were refused.
    var bundle: BundleInfo? = nil

    /// `<source>#<pointer>`, the pointer mapped back to the user's own document — or to the other file of a
    /// multi-file document it lies in (`spec/schemas/pet.yaml#/Pet`).
    func location(_ pointer: String) -> String {
        var mapped = origin?.original(pointer) ?? pointer
        if let bundle { mapped = bundle.origin.original(mapped) }
        let prefix = "/" + DocumentBundler.filesKey + "/"
        if mapped.hasPrefix(prefix) {
            let rest = mapped.dropFirst(prefix.count)
            let token = rest.prefix { $0 != "/" }
            let file = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            return "\(file)#\(rest.dropFirst(token.count))"
        }
        return "\(sourceName)#\(mapped)"
    }

    /// Why an external `$ref` is not followed, and what to do about it (the bundler's reason when it refused it).
    func externalMessage(_ ref: String) -> String {
        bundle?.refusals[ref] ?? ReferenceResolver.externalMessage(ref)
    }

    /// A copy for another tree, sharing the name, origin and findings.
    func with(root: JSONValue, dialect: Dialect? = nil, origin: PointerMap? = nil) -> SpecContext {
        SpecContext(
            root: root, sourceName: sourceName, dialect: dialect ?? self.dialect, origin: origin ?? self.origin,
            diagnostics: diagnostics, bundle: bundle)
    }

    /// Records a defect at a pointer.
    func defect(_ message: String, at pointer: String) {
        diagnostics.defect(message, at: location(pointer))
    }

    /// Records a note at a pointer.
    func note(_ message: String, at pointer: String) {
        diagnostics.note(message, at: location(pointer))
    }

    /// An `.invalidSpec` error at a pointer.
    func invalid(_ message: String, at pointer: String) -> GatewayError {
        GatewayError(.invalidSpec, message, location: location(pointer))
    }

    /// An `.unsupportedSpec` error at a pointer.
    func unsupported(_ message: String, at pointer: String) -> GatewayError {
        GatewayError(.unsupportedSpec, message, location: location(pointer))
    }
}
