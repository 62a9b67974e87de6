import Foundation

/// How the importer tells keywords from names and literal data when it walks a raw document.
///
/// A key is a keyword (`type`, `$ref`, `enum`…) only in an object that is not a name map: under `properties`,
/// `definitions`, `responses`, `paths` and the like the keys are names chosen by the author, so a property named
/// `enum`, `default`, `example`, `examples` or `const` is a schema like any other, and the `$ref`s under it are
/// references like any other.
enum DocumentKeys {
    /// Keys whose (object) value maps names to nodes.
    static let nameMaps: Set<String> = [
        "paths", "properties", "patternProperties", "definitions", "$defs", "dependentSchemas", "schemas",
        "responses", "parameters", "headers", "content", "encoding", "securitySchemes", "securityDefinitions",
        "requestBodies", "links", "callbacks", "variables", "webhooks", "pathItems",
    ]

    /// Keywords whose value is literal data (never walked for `$ref`s or keywords).
    static let literals: Set<String> = ["example", "examples", "enum", "const", "default"]

    /// Whether `key`, in an object that is not a name map, holds literal data (vendor extensions included, but not
    /// the files a multi-file document was bundled from: ``DocumentBundler/filesKey``).
    static func isLiteral(_ key: String) -> Bool {
        literals.contains(key) || (key.hasPrefix("x-") && key != DocumentBundler.filesKey)
    }

    /// Whether `key`'s object value is a map of names (its keys are never keywords).
    static func isNameMap(_ key: String, value: JSONValue) -> Bool {
        nameMaps.contains(key) && value.objectValue != nil
    }
}
