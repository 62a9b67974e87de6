import Foundation
import OpenAPIKit
import OpenAPIKit30

/// Checks a document's structure by decoding it with OpenAPIKit (the 3.0 or 3.1 model); every problem becomes a
/// defect at its pointer in the user's own file.
///
/// The importer then compiles operations from the raw tree (so schemas keep every keyword as written); OpenAPIKit
/// only decides whether the document is well-formed.
struct OpenAPIKitValidator {
    enum Model {
        case v30
        case v31
    }

    /// The most structural problems reported (each costs a decode of the whole document) before the check stops.
    static let maxProblems = 25

    let context: SpecContext

    /// Decodes the tree with OpenAPIKit. Each problem it finds is recorded as a defect at its pointer in the user's
    /// file, in plain words, and the part is left out (a response; an operation or path item; else the key that is
    /// wrong), then the check runs again, so that every problem is reported in one pass. Returns the tree the
    /// operations are compiled from (without the parts left out) and the operation keys (`METHOD path`) skipped.
    func validate(as model: Model) -> (tree: JSONValue, skipped: Set<String>) {
        var tree = context.root
        var skipped: Set<String> = []
        var failures: [String: Int] = [:]
        // Vendor extensions are not needed, and decoding them re-decodes every object as `AnyCodable`.
        let decoder = JSONDecoder()
        decoder.userInfo[OpenAPIKit.VendorExtensionsConfiguration.enabledKey] = false
        for _ in 0..<Self.maxProblems {
            let data = Data(Self.lenient(tree, model: model).serialized())
            let failure: (pointer: String, message: String)
            do {
                switch model {
                case .v30:
                    _ = try decoder.decode(OpenAPIKit30.OpenAPI.Document.self, from: data)
                case .v31:
                    let document = try decoder.decode(OpenAPIKit.OpenAPI.Document.self, from: data)
                    for warning in document.warnings {
                        context.diagnostics.note(Self.plain(warning.localizedDescription), at: context.location(""))
                    }
                }
                return (tree, skipped)
            } catch {
                let readable = OpenAPIKit.OpenAPI.Error(from: error)
                var message = readable.localizedDescription
                if message.isEmpty { message = String(describing: error) }
                failure = (Self.pointer(readable.codingPath), Self.plain(message))
            }
            var tokens = Self.tokens(failure.pointer)
            // The same place failing again: leave out the part around it.
            let repeats = failures[failure.pointer, default: 0]
            failures[failure.pointer] = repeats + 1
            if repeats > 0 { tokens = Array(tokens.dropLast(min(repeats, tokens.count))) }
            guard let (pruned, consequence, operation) = Self.leaveOut(tokens, in: tree) else {
                context.defect(failure.message + "; the structure check stopped here", at: failure.pointer)
                return (tree, skipped)
            }
            if let operation { skipped.insert(operation) }
            context.defect(failure.message + "; " + consequence, at: failure.pointer)
            tree = pruned
        }
        context.diagnostics.defect(
            "the structure check stopped after \(Self.maxProblems) problems; the rest of the document was not checked",
            at: context.location(""))
        return (tree, skipped)
    }

    /// Removes the part of the tree a problem at `tokens` belongs to. Returns the new tree, what that means in
    /// words, and the operation key when an operation was left out; nil when nothing can be left out.
    static func leaveOut(_ tokens: [String], in tree: JSONValue) -> (JSONValue, String, String?)? {
        guard !tokens.isEmpty else { return nil }
        if tokens[0] == "paths", tokens.count >= 2 {
            let path = tokens[1]
            if tokens.count >= 3, OperationCompiler.methods.contains(tokens[2]) {
                let key = "\(tokens[2].uppercased()) \(path)"
                if tokens.count >= 5, tokens[3] == "responses" {
                    let pruned = removing(Array(tokens[0..<5]), from: tree)
                    return (pruned, "response \(tokens[4]) of \(key) is ignored", nil)
                }
                return (removing(Array(tokens[0..<3]), from: tree), "operation \(key) is skipped", key)
            }
            return (removing(Array(tokens[0..<2]), from: tree), "the operations of path \(path) are skipped", "path \(path)")
        }
        return (removing(tokens, from: tree), "it is ignored", nil)
    }

    /// The tree without the value at `tokens` (an operation's `responses` left empty gets a `default`).
    static func removing(_ tokens: [String], from tree: JSONValue) -> JSONValue {
        guard let first = tokens.first else { return tree }
        switch tree {
        case .object(var object):
            if tokens.count == 1 {
                object[first] = nil
            } else if let child = object[first] {
                let updated = removing(Array(tokens.dropFirst()), from: child)
                if first == "responses", case .object(let responses) = updated, responses.isEmpty {
                    object[first] = .object(["default": .object(["description": .string("")])])
                } else {
                    object[first] = updated
                }
            }
            return .object(object)
        case .array(var array):
            guard let index = Int(first), index >= 0, index < array.count else { return tree }
            if tokens.count == 1 {
                array.remove(at: index)
            } else {
                array[index] = removing(Array(tokens.dropFirst()), from: array[index])
            }
            return .array(array)
        default:
            return tree
        }
    }

    /// The unescaped tokens of a pointer.
    static func tokens(_ pointer: String) -> [String] {
        pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    /// OpenAPIKit's message in plain words: no Markdown, no Swift type names, no coding-path prose (the pointer
    /// says where).
    static func plain(_ message: String) -> String {
        var text = message.replacingOccurrences(of: "**", with: "").replacingOccurrences(of: "`", with: "'")
        // Multi-line explanations ("… could not be decoded because:\n- …") become one line.
        text = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }.joined(separator: " ")
            .replacingOccurrences(of: "because: - ", with: "because ")
        let rewrites: [(String, String)] = [
            (#"Found neither a \$ref nor a (\w+)\b.*"#, #"expected a $1 object or a \$ref to one, but found neither."#),
            (#"Expected '([^']+)' value(?: in [^ ]+)? to be parsable as Dictionary<[^>]*> but it was not\.?"#, "'$1' must be an object."),
            (#"Expected '([^']+)' value(?: in [^ ]+)? to be parsable as Array<[^>]*> but it was not\.?"#, "'$1' must be a list."),
            (#"Expected '([^']+)' value(?: in [^ ]+)? to be parsable as (\w+) but it was not\.?"#, "'$1' must be a $2."),
            (#"Expected to find '([^']+)' key in [^ ]+ but it is missing\."#, "'$1' is required but missing."),
            (#"Problem encountered when parsing '([^']+)' in [^:]+: "#, "'$1': "),
            (#"Inconsistency encountered when parsing '([^']+)' in [^:]+: "#, "'$1': "),
            (#"Found nothing but unsupported attributes"#, "found only unknown keys"),
            (#" in Document\.[A-Za-z0-9_.\[\]-]+"#, ""),
            (#" in the root Document object"#, ""),
            (#" for the \w+ endpoint under '[^']*'"#, ""),
            (#"Expected an Integer literal but found a floating point value"#, "expected an integer but found a fractional number"),
            (#"JSONSchema"#, "schema"),
        ]
        for (pattern, template) in rewrites {
            text = text.replacingOccurrences(of: pattern, with: template, options: .regularExpression)
        }
        while text.hasSuffix(".") { text.removeLast() }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// A JSON pointer for a decoding coding path.
    static func pointer(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce("") { pointer, key in
            if let index = key.intValue { JSONPointer.appending(pointer, index) } else { JSONPointer.appending(pointer, key.stringValue) }
        }
    }

    /// The tree with what the importer tolerates (and OpenAPIKit would refuse) corrected:
    /// - a path parameter without `required: true` (the importer always treats path parameters as required);
    /// - `security` requirements (the importer does not use them, and OpenAPIKit refuses unknown scheme names);
    /// - examples (not used by the importer; dropping them spares OpenAPIKit much work);
    /// - `contentEncoding` (OpenAPIKit knows only RFC 2045's encodings, but JSON Schema and the OpenAPI 3.1.1
    ///   examples also use RFC 4648's `base64url`; the importer keeps the keyword as written);
    /// - draft-04 boolean `exclusiveMinimum`/`exclusiveMaximum` (3.1 documents may declare a draft-04 `$schema`;
    ///   the importer converts them; 3.1 only).
    static func lenient(_ value: JSONValue, model: Model, names: Bool = false) -> JSONValue {
        switch value {
        case .object(var object):
            for (key, child) in object {
                if names {
                    object[key] = lenient(child, model: model)
                    continue
                }
                if key == "example" || key == "examples" || (key == "security" && child.arrayValue != nil)
                    || (key == "contentEncoding" && child.stringValue != nil)
                {
                    object[key] = nil
                    continue
                }
                if DocumentKeys.isLiteral(key) { continue }
                guard child.objectValue != nil || child.arrayValue != nil else { continue }
                object[key] = lenient(child, model: model, names: DocumentKeys.isNameMap(key, value: child))
            }
            if names { return .object(object) }
            if object["in"] == .string("path"), object["name"]?.stringValue != nil,
                object["required"]?.boolValue != true
            {
                object["required"] = .bool(true)
            }
            let bounds = model == .v31 ? [("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")] : []
            for (bound, exclusive) in bounds {
                guard case .bool(let flag) = object[exclusive] else { continue }
                object[exclusive] = nil
                if flag, let limit = object[bound] {
                    object[bound] = nil
                    object[exclusive] = limit
                }
            }
            return .object(object)
        case .array(let array):
            return .array(array.map { lenient($0, model: model) })
        default:
            return value
        }
    }
}
