import CNCursesW

/// Turns what `get_wch` returns into keys and bracketed pastes. With bracketed paste on (`ESC [ ? 2004 h`), the
/// terminal wraps pasted text in `ESC [ 200 ~` … `ESC [ 201 ~`, which the console defines as two key codes of its
/// own; everything between them is collected as text and delivered as one paste, so a paste can never press keys
/// (a `q` on its second line, an `ESC 3 g`). Pure, so it is testable without a terminal.
struct PasteAssembler {
    /// The key codes the paste brackets are defined as (`define_key`), above ncurses' own (`KEY_MAX` is 0777).
    static let startCode: Int32 = 0x2FF0
    static let endCode: Int32 = 0x2FF1
    /// The most characters one paste keeps; the rest is dropped (a form field holds far less).
    static let limit = 65_536

    enum Output: Equatable {
        case key(Key)
        case paste(String)
        case resize
        case nothing
    }

    /// The paste being collected, nil outside a paste.
    private(set) var collecting: String?
    private var count = 0

    /// Feeds one `get_wch` result.
    mutating func feed(_ code: UInt32, isFunctionKey: Bool) -> Output {
        if isFunctionKey {
            switch Int32(bitPattern: code) {
            case Self.startCode:
                collecting = collecting ?? ""
                count = 0
                return .nothing
            case Self.endCode:
                defer { collecting = nil }
                return collecting.map(Output.paste) ?? .nothing
            default:
                guard collecting != nil else { return Self.output(KeyDecoder.decode(code, isFunctionKey: true)) }
                // Inside a paste only a line break means something as a function key.
                if Int32(bitPattern: code) == KEY_ENTER { append("\n") }
                return .nothing
            }
        }
        guard collecting != nil else { return Self.output(KeyDecoder.decode(code, isFunctionKey: false)) }
        if let scalar = Unicode.Scalar(code) { append(Character(scalar)) }
        return .nothing
    }

    private mutating func append(_ c: Character) {
        guard count < Self.limit else { return }
        collecting?.append(c)
        count += 1
    }

    static func output(_ decoded: KeyDecoder.Decoded) -> Output {
        switch decoded {
        case .key(let key): .key(key)
        case .resize: .resize
        case .ignored: .nothing
        }
    }
}
