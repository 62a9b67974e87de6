import CNCursesW

/// Decodes what `get_wch` returns into ``Key`` values. Pure, so it is testable without a terminal.
public enum KeyDecoder {
    /// What the terminal reported besides keys.
    public enum Decoded: Sendable, Equatable {
        case key(Key)
        /// ncurses saw a resize itself (`KEY_RESIZE`).
        case resize
        /// Nothing the console understands (mouse, unknown function keys, stray control bytes).
        case ignored
    }

    /// Decodes one `get_wch` result.
    /// - Parameters:
    ///   - code: the character or key code `get_wch` stored.
    ///   - isFunctionKey: whether `get_wch` returned `KEY_CODE_YES`.
    public static func decode(_ code: UInt32, isFunctionKey: Bool) -> Decoded {
        isFunctionKey ? functionKey(Int32(bitPattern: code)) : character(code)
    }

    static func functionKey(_ code: Int32) -> Decoded {
        switch code {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME, KEY_A1: return .key(.home)
        case KEY_END, KEY_C1: return .key(.end)
        case KEY_ENTER: return .key(.enter)
        case KEY_BTAB: return .key(.backTab)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case cnc_key_resize(): return .resize
        default:
            let f0 = cnc_key_f0()
            if code > f0 && code <= f0 + 63 { return .key(.function(Int(code - f0))) }
            return .ignored
        }
    }

    static func character(_ code: UInt32) -> Decoded {
        switch code {
        case 10, 13: return .key(.enter)
        case 27: return .key(.escape)
        case 9: return .key(.tab)
        case 127, 8: return .key(.backspace)
        case 1...26:
            let letter = Character(Unicode.Scalar(UInt8(code) + 0x60))
            return .key(.ctrl(letter))
        case 0, 28...31, 0x80...0x9F: return .ignored
        default:
            guard let scalar = Unicode.Scalar(code) else { return .ignored }
            return .key(.char(Character(scalar)))
        }
    }
}
