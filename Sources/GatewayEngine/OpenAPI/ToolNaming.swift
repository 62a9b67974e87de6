import Foundation

/// Tool names for operations: `[A-Za-z0-9_.-]`, at most 64 characters by default (OpenAI's and Anthropic's
/// function-calling limit), unique within an API.
///
/// A valid `operationId` that fits is the tool name exactly as written. An invalid one is sanitised (each run of
/// characters that cannot appear becomes one `_`). A name longer than the limit is shortened deterministically:
/// its head, a 6-hex-digit hash of the whole name and its tail (`head_1a2b3c_tail`), so that names that differ
/// anywhere stay distinct and both ends stay recognisable; the full `operationId` stays in the tool's title.
enum ToolNaming {
    /// The longest tool name MCP allows.
    static let maxLength = 128
    /// The default limit: what OpenAI's and Anthropic's function calling accept.
    static let defaultLength = 64

    /// Naming options for one API.
    struct Options: Sendable, Equatable {
        /// The longest name (64 by default; 128 when the API keeps long names).
        var maxLength = ToolNaming.defaultLength
    }

    /// Whether a character may appear in a tool name.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": true
        default: false
        }
    }

    /// Whether `name` is a valid tool name (at most 128 characters).
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.unicodeScalars.count <= maxLength && name.unicodeScalars.allSatisfy(isAllowed)
    }

    /// `raw` unchanged when it is a valid name; else every run of disallowed characters and underscores becomes one
    /// `_`, `_` at both ends is trimmed, and the name is cut to 128 characters. Returns "" when nothing is left.
    static func sanitize(_ raw: String, truncating: Bool = true) -> String {
        if isValid(raw) || (!truncating && !raw.isEmpty && raw.unicodeScalars.allSatisfy(isAllowed)) { return raw }
        var out = String.UnicodeScalarView()
        var lastWasUnderscore = false
        for character in raw {
            let scalars = character.unicodeScalars
            let allowed = scalars.count == 1 && isAllowed(scalars.first!)
            let scalar: Unicode.Scalar = allowed ? scalars.first! : "_"
            if scalar == "_" {
                if lastWasUnderscore { continue }
                lastWasUnderscore = true
            } else {
                lastWasUnderscore = false
            }
            out.append(scalar)
        }
        var name = String(out).trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        if truncating, name.unicodeScalars.count > maxLength {
            name = String(String.UnicodeScalarView(name.unicodeScalars.prefix(maxLength)))
            name = name.trimmingCharacters(in: CharacterSet(charactersIn: "_"))
        }
        return name
    }

    /// The default name for an operation without `operationId`: `get /pets/{petId}` → `get_pets_petId`.
    static func fallbackName(method: String, path: String) -> String {
        sanitize(method.lowercased() + "_" + path)
    }

    /// The full name for an operation: its `operationId` (sanitised only when invalid), else
    /// ``fallbackName(method:path:)``.
    static func baseName(operationId: String?, method: String, path: String) -> String {
        if let operationId {
            // Not cut here: ``shorten(_:to:)`` keeps names that differ past the limit apart.
            let name = sanitize(operationId, truncating: false)
            if !name.isEmpty { return name }
        }
        let fallback = fallbackName(method: method, path: path)
        return fallback.isEmpty ? method.lowercased() : fallback
    }

    /// `name` when it fits in `limit` characters; else `head_hash_tail` of exactly `limit` characters.
    static func shorten(_ name: String, to limit: Int) -> String {
        let scalars = Array(name.unicodeScalars)
        guard scalars.count > limit else { return name }
        let hash = String(fnv1a(name) & 0xFF_FFFF, radix: 16)
        let tag = String(repeating: "0", count: 6 - hash.count) + hash
        let room = max(0, limit - tag.count - 2)
        let tailCount = min(room / 3, 20)
        let headCount = room - tailCount
        var out = String.UnicodeScalarView(scalars.prefix(headCount))
        out.append("_")
        out.append(contentsOf: tag.unicodeScalars)
        out.append("_")
        out.append(contentsOf: scalars.suffix(tailCount))
        return String(out)
    }

    /// 64-bit FNV-1a of the name's UTF-8 bytes (stable across runs and platforms).
    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    /// Returns `base` if unused, else `base_2`, `base_3`… (the base shortened to keep within `limit`), and records
    /// the result in `used`.
    static func unique(_ base: String, used: inout Set<String>, limit: Int = maxLength) -> String {
        if used.insert(base).inserted { return base }
        var n = 2
        while true {
            let suffix = "_\(n)"
            let room = limit - suffix.count
            let stem = base.count > room ? String(base.prefix(room)) : base
            let candidate = stem + suffix
            if used.insert(candidate).inserted { return candidate }
            n += 1
        }
    }
}
