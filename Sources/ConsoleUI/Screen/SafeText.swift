/// Makes untrusted text (names and descriptions from OpenAPI documents, upstreams, requests) safe to draw:
/// control characters (C0, C1, DEL), bidi overrides and isolates, zero-width and tag characters are shown as
/// visible escapes (`\x1b`, `\u{202E}`), and line breaks as `⏎` (or `\n` in ASCII mode). Nothing a spec contains
/// can move the cursor or change the terminal.
public enum SafeText {
    public static func escape(_ text: String, ascii: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x0A, 0x0D: out += ascii ? "\\n" : "⏎"
            case 0x09: out += " "
            case 0x00...0x1F, 0x7F, 0x80...0x9F: out += "\\x" + hex(v, 2)
            case 0x200B...0x200F, 0x202A...0x202E, 0x2060...0x2069, 0xFEFF, 0xE0000...0xE007F: out += "\\u{" + hex(v, 4) + "}"
            default:
                if ascii && v > 0x7E { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    /// Whether the text contains anything ``escape(_:ascii:)`` would change (besides tabs and line breaks).
    public static func isSuspicious(_ text: String) -> Bool {
        text.unicodeScalars.contains { s in
            let v = s.value
            return (v < 0x20 && v != 0x0A && v != 0x0D && v != 0x09) || (0x7F...0x9F).contains(v) || (0x200B...0x200F).contains(v)
                || (0x202A...0x202E).contains(v) || (0x2060...0x2069).contains(v) || v == 0xFEFF || (0xE0000...0xE007F).contains(v)
        }
    }

    static func hex(_ v: UInt32, _ digits: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
