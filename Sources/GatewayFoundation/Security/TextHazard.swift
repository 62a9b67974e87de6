/// Code points that can hide, reorder or resize text on a screen: the one definition the engine's tool-pinning check
/// (which holds back upstream tools whose text carries them) and the console's escaping (which shows them as visible
/// escapes) share, so that what the engine flags is exactly what the console refuses to draw raw.
///
/// Tabs and line breaks are not hazards: callers decide how to show them.
public enum TextHazard: String, Sendable, CaseIterable {
    /// C0 and C1 controls and DEL (ANSI escape sequences start with one), and the Unicode line and paragraph
    /// separators, which some terminals treat as a line feed.
    case control = "control character"
    /// Characters that draw nothing or change the width of their neighbours: zero-width spaces and joiners, the word
    /// joiner and invisible operators, the BOM, the soft hyphen, the combining grapheme joiner, the Hangul fillers,
    /// the Khmer inherent vowels, the Mongolian free variation selectors and vowel separator, the interlinear
    /// annotation marks and the musical formatting controls.
    case invisible = "zero-width character"
    /// Bidirectional controls: marks, embeddings, overrides and isolates (Trojan Source).
    case bidi = "bidi control"
    /// Tag characters (U+E0000–U+E007F), which can smuggle ASCII text invisibly.
    case tag = "tag character"

    /// The hazard a code point is, or nil for ordinary text (tab, line feed and carriage return included).
    @inlinable
    public static func classify(_ scalar: Unicode.Scalar) -> TextHazard? {
        let v = scalar.value
        // Fast path: printable ASCII and most text.
        if v >= 0x20 && v < 0x7F { return nil }
        switch v {
        case 0x09, 0x0A, 0x0D: return nil
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029: return .control
        case 0x00AD, 0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B...0x180F, 0x200B...0x200D, 0x2060...0x2065, 0x3164, 0xFEFF,
            0xFFA0, 0xFFF9...0xFFFB, 0x1D173...0x1D17A:
            return .invisible
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return .bidi
        case 0xE0000...0xE007F: return .tag
        default: return nil
        }
    }

    /// Whether the text holds any hazard.
    public static func occurs(in text: String) -> Bool {
        text.unicodeScalars.contains { classify($0) != nil }
    }
}
