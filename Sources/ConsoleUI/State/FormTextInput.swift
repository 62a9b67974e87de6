import GatewayFoundation

/// A one-line text input with a cursor, used by form fields, the `/` filter and the `:` command line.
/// While an input has focus it takes every printable key, so typing `q` or `j` never triggers a binding.
struct TextInput: Sendable, Equatable {
    var text: String
    /// The cursor, as a character offset (0…count).
    var cursor: Int

    init(_ text: String = "") {
        self.text = text
        cursor = text.count
    }

    /// Edits the text for `key`. Returns false for keys an input does not handle (Enter, Esc, Tab, arrows up/down…),
    /// which the owner interprets.
    mutating func handle(_ key: Key) -> Bool {
        var chars = Array(text)
        cursor = min(max(0, cursor), chars.count)
        switch key {
        case .char(let c):
            guard !c.unicodeScalars.contains(where: { TextHazard.classify($0) != nil }) else { return true }
            chars.insert(c, at: cursor)
            cursor += 1
        case .backspace, .ctrl("h"):
            guard cursor > 0 else { return true }
            chars.remove(at: cursor - 1)
            cursor -= 1
        case .delete, .ctrl("d"):
            guard cursor < chars.count else { return true }
            chars.remove(at: cursor)
        case .left, .ctrl("b"): cursor = max(0, cursor - 1)
        case .right, .ctrl("f"): cursor = min(chars.count, cursor + 1)
        case .home, .ctrl("a"): cursor = 0
        case .end, .ctrl("e"): cursor = chars.count
        case .ctrl("u"):
            chars.removeSubrange(0..<cursor)
            cursor = 0
        case .ctrl("k"): chars.removeSubrange(cursor..<chars.count)
        case .ctrl("w"):
            var start = cursor
            while start > 0, chars[start - 1] == " " { start -= 1 }
            while start > 0, chars[start - 1] != " " { start -= 1 }
            chars.removeSubrange(start..<cursor)
            cursor = start
        default: return false
        }
        text = String(chars)
        return true
    }

    /// Inserts pasted text at the cursor as text, never as keys: line breaks and tabs become spaces, and every
    /// ``TextHazard`` (control, bidi, invisible and tag characters, escape sequences' ESC included) is dropped. At most
    /// `limit` characters are kept.
    mutating func insert(pasted: String, limit: Int = 4_096) {
        var clean = ""
        for scalar in pasted.unicodeScalars {
            switch scalar.value {
            case 0x0A, 0x0D, 0x09: if !clean.hasSuffix(" ") { clean.unicodeScalars.append(" ") }
            default: if TextHazard.classify(scalar) == nil { clean.unicodeScalars.append(scalar) }
            }
        }
        var chars = Array(text)
        cursor = min(max(0, cursor), chars.count)
        let added = Array(clean.trimmingCharacters(in: .whitespaces).prefix(max(0, limit - chars.count)))
        chars.insert(contentsOf: added, at: cursor)
        cursor += added.count
        text = String(chars)
    }

    /// Replaces the text and puts the cursor at its end.
    mutating func set(_ newText: String) {
        text = newText
        cursor = newText.count
    }
}
