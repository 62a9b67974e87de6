import GatewayFoundation

/// Makes untrusted text (names and descriptions from OpenAPI documents, upstreams, requests) safe to draw: every
/// ``TextHazard`` — control characters (C0, C1, DEL), bidi controls, invisible and width-changing characters, tag
/// characters, the same set the engine's tool-pinning check flags — is shown as a visible escape (`\x1b`,
/// `\u{202E}`), line breaks as `⏎` (or `\n` in ASCII mode) and tabs as a space. Nothing a spec contains can move the
/// cursor, change the terminal or leave stale cells.
public enum SafeText {
    public static func escape(_ text: String, ascii: Bool = false) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x0A, 0x0D: out += ascii ? "\\n" : "⏎"
            case 0x09: out += " "
            default:
                if TextHazard.classify(scalar) != nil {
                    out += v <= 0xFF ? "\\x" + hex(v, 2) : "\\u{" + hex(v, 4) + "}"
                } else if ascii && v > 0x7E {
                    out += "?"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Whether the text contains anything ``escape(_:ascii:)`` would change (besides tabs and line breaks).
    public static func isSuspicious(_ text: String) -> Bool { TextHazard.occurs(in: text) }

    static func hex(_ v: UInt32, _ digits: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
