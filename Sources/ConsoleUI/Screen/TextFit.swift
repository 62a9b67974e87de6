/// Fitting text into terminal columns: truncation with an ellipsis, padding and word wrapping, all measured with
/// ``TextWidth``. Text must already be safe (see ``SafeText``).
public enum TextFit {
    /// `text` cut to at most `width` columns; an ellipsis (`…`, or `~` in ASCII mode) marks a cut.
    public static func truncate(_ text: String, to width: Int, ascii: Bool = false) -> String {
        guard width > 0 else { return "" }
        if TextWidth.columns(of: text) <= width { return text }
        let mark: Character = ascii ? "~" : "…"
        var out = ""
        var used = 0
        for ch in text {
            let w = TextWidth.columns(of: ch)
            if used + w > width - 1 { break }
            out.append(ch)
            used += w
        }
        out.append(mark)
        return out
    }

    /// `text` truncated and padded with spaces to exactly `width` columns, left or right aligned.
    public static func pad(_ text: String, to width: Int, right: Bool = false, ascii: Bool = false) -> String {
        let t = truncate(text, to: width, ascii: ascii)
        let fill = String(repeating: " ", count: max(0, width - TextWidth.columns(of: t)))
        return right ? fill + t : t + fill
    }

    /// `text` wrapped at word boundaries into lines of at most `width` columns; words longer than a line are split.
    public static func wrap(_ text: String, width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var line = ""
        var lineWidth = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(word)
            var ww = TextWidth.columns(of: word)
            if lineWidth > 0 && lineWidth + 1 + ww > width {
                lines.append(line)
                line = ""
                lineWidth = 0
            }
            while ww > width {
                let room = lineWidth > 0 ? width - lineWidth - 1 : width
                let (head, tail) = split(word, at: max(1, room))
                if lineWidth > 0 { line += " " }
                lines.append(line + head)
                line = ""
                lineWidth = 0
                word = tail
                ww = TextWidth.columns(of: word)
            }
            if lineWidth > 0 {
                line += " "
                lineWidth += 1
            }
            line += word
            lineWidth += ww
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// Splits `text` after at most `columns` columns.
    private static func split(_ text: String, at columns: Int) -> (String, String) {
        var used = 0
        var index = text.startIndex
        while index < text.endIndex {
            let w = TextWidth.columns(of: text[index])
            if used + w > columns { break }
            used += w
            index = text.index(after: index)
        }
        if index == text.startIndex, index < text.endIndex { index = text.index(after: index) }
        return (String(text[..<index]), String(text[index...]))
    }
}
