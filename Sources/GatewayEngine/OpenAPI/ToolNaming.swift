import Foundation

/// Tool names for operations: `[A-Za-z0-9_.-]{1,128}`, unique within an API.
enum ToolNaming {
    /// The longest tool name.
    static let maxLength = 128

    /// Whether a character may appear in a tool name.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }

    /// Whether `name` is a valid tool name.
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.count <= maxLength && name.unicodeScalars.allSatisfy(isAllowed)
    }

    /// Replaces every disallowed character with `_`, collapses runs of `_`, trims `_` at both ends and truncates to
    /// 128 characters. Returns "" when nothing is left.
    static func sanitize(_ raw: String) -> String {
        var out = String.UnicodeScalarView()
        var lastWasUnderscore = false
        for character in raw {
            let allowed = character.unicodeScalars.count == 1 && isAllowed(character.unicodeScalars.first!)
            let scalar: Unicode.Scalar = allowed ? character.unicodeScalars.first! : "_"
            if scalar == "_" {
                if lastWasUnderscore { continue }
                lastWasUnderscore = true
            } else {
                lastWasUnderscore = false
            }
            out.append(scalar)
        }
        var name = String(out).trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        if name.unicodeScalars.count > maxLength {
            name = String(String.UnicodeScalarView(name.unicodeScalars.prefix(maxLength)))
            name = name.trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        }
        return name
    }

    /// The default name for an operation without `operationId`: `get /pets/{petId}` → `get_pets_petId`.
    static func fallbackName(method: String, path: String) -> String {
        sanitize(method.lowercased() + "_" + path)
    }

    /// The base name for an operation: its sanitised `operationId`, else ``fallbackName(method:path:)``.
    static func baseName(operationId: String?, method: String, path: String) -> String {
        if let operationId {
            let name = sanitize(operationId)
            if !name.isEmpty { return name }
        }
        let fallback = fallbackName(method: method, path: path)
        return fallback.isEmpty ? method.lowercased() : fallback
    }

    /// Returns `base` if unused, else `base_2`, `base_3`… (the base shortened to keep 128 characters), and records
    /// the result in `used`.
    static func unique(_ base: String, used: inout Set<String>) -> String {
        if used.insert(base).inserted { return base }
        var n = 2
        while true {
            let suffix = "_\(n)"
            let room = maxLength - suffix.count
            let stem = base.count > room ? String(base.prefix(room)) : base
            let candidate = stem + suffix
            if used.insert(candidate).inserted { return candidate }
            n += 1
        }
    }
}
