import Foundation

/// One finding of an import: where it is in the user's own file, and what it is in plain words.
public struct ImportWarning: Sendable, Equatable, Codable, CustomStringConvertible {
    /// What kind of finding it is.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// The document is wrong here; the importer read it in an obvious way, or left the part out. `--strict`
        /// refuses a document with any defect.
        case defect
        /// Information only (no output schema for an operation, no server URL…); never refuses a document.
        case note
    }

    /// `file#/json/pointer` into the file the user gave (for Swagger 2.0 documents: the Swagger tree, never the
    /// converted one), or nil when the finding concerns the whole document.
    public var location: String?
    /// What was found and what the importer did about it.
    public var message: String
    public var kind: Kind

    public init(location: String?, message: String, kind: Kind) {
        self.location = location
        self.message = message
        self.kind = kind
    }

    public var description: String {
        if let location { "\(location): \(message)" } else { message }
    }
}

/// Collects an import's findings in one pass, each once (same place, same words), in the order found.
final class ImportDiagnostics {
    private(set) var items: [ImportWarning] = []
    private var seen: Set<String> = []

    /// Records a defect (the document is wrong here).
    func defect(_ message: String, at location: String?) {
        add(ImportWarning(location: location, message: message, kind: .defect))
    }

    /// Records a note (information only).
    func note(_ message: String, at location: String?) {
        add(ImportWarning(location: location, message: message, kind: .note))
    }

    func add(_ warning: ImportWarning) {
        guard seen.insert("\(warning.location ?? "")\u{0}\(warning.message)").inserted else { return }
        items.append(warning)
    }

    /// The defects found so far.
    var defects: [ImportWarning] { items.filter { $0.kind == .defect } }
}

/// Maps pointers of a converted tree (Swagger 2.0 → OpenAPI 3.0) back to the user's own document: the longest
/// registered prefix of a pointer is replaced by its original.
final class PointerMap {
    private var prefixes: [String: String] = [:]

    /// Registers `converted` (and everything under it) as coming from `original`.
    func map(_ converted: String, to original: String) {
        prefixes[converted] = original
    }

    /// The original pointer for a pointer of the converted tree.
    func original(_ pointer: String) -> String {
        var prefix = Substring(pointer)
        while true {
            if let original = prefixes[String(prefix)] { return original + pointer.dropFirst(prefix.count) }
            guard let slash = prefix.lastIndex(of: "/") else { return pointer }
            prefix = prefix[..<slash]
        }
    }
}

extension ImportWarning {
    /// Findings as stored with an API (a JSON array).
    public static func storedText(_ warnings: [ImportWarning]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(warnings)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// Findings read back from an API's stored text (empty when none or unreadable).
    public static func fromStored(_ text: String?) -> [ImportWarning] {
        guard let text, let data = text.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([ImportWarning].self, from: data)) ?? []
    }
}
