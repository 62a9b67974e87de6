import CNCursesW
import Dispatch
import Foundation

/// Something the terminal reports to the console loop.
public enum TerminalEvent: Sendable, Equatable {
    case key(Key)
    /// A bracketed paste's text.
    case paste(String)
    case resize(width: Int, height: Int)
    /// A click, double click or wheel step (when the mouse is on).
    case mouse(MouseEvent)
}

/// The ncursesw backend: starts curses on the process's terminal (alternate screen, raw, no echo, keypad,
/// non-blocking input, 25 ms escape delay, hidden cursor, default colours), reads keys from a dispatch source on
/// stdin, owns `SIGWINCH` (ncurses cannot see it once a dispatch signal source exists, so the size is read with
/// `TIOCGWINSZ` and `resizeterm` is called here), and draws ``CellBuffer``s by diffing against the previous frame.
///
/// Every curses call happens on the main actor: ncurses is not thread-safe. The terminal is restored by ``stop()``,
/// by `atexit`, and by crash-signal handlers that end curses mode and re-raise.
@MainActor
public final class CursesTerminal {
    /// Columns.
    public private(set) var width = 80
    /// Rows.
    public private(set) var height = 24
    /// Whether the locale's character set is UTF-8 (otherwise only ASCII is drawn).
    public let isUTF8: Bool
    /// Whether curses mode is on.
    public private(set) var isActive = false
    /// Whether colours are off (requested, or the terminal has none).
    public var isMonochrome: Bool { palette?.monochrome ?? true }

    private let monochromeRequested: Bool
    private let mouseRequested: Bool
    private var screen: OpaquePointer?
    private var palette: CursesPalette?
    private var previous: CellBuffer?
    private var sources: [any DispatchSourceProtocol] = []
    private var suspended = false
    private var onEvent: (@MainActor (TerminalEvent) -> Void)?
    private var pastes = PasteAssembler()

    /// Prepares the backend; nothing touches the terminal until ``start(onEvent:)``.
    /// - Parameters:
    ///   - monochrome: draw without colours.
    ///   - mouse: report clicks and the wheel (the terminal's own selection then needs Shift in most terminals).
    public init(monochrome: Bool, mouse: Bool = true) {
        monochromeRequested = monochrome
        mouseRequested = mouse
        setlocale(LC_ALL, "")
        isUTF8 = String(cString: nl_langinfo(nl_item(CODESET))).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
    }

    /// Whether stdin and stdout are both terminals.
    public nonisolated static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 }

    /// Enters curses mode and starts delivering keys and resizes to `onEvent` (on the main actor).
    public func start(onEvent: @escaping @MainActor (TerminalEvent) -> Void) throws(TerminalError) {
        guard !isActive else { return }
        guard Self.isInteractive else { throw TerminalError(.notATerminal, "stdin and stdout must be a terminal") }
        cnc_install_restore_handlers()
        guard let screen = cnc_newterm() else {
            let term = ProcessInfo.processInfo.environment["TERM"] ?? "(unset)"
            throw TerminalError(.unsupportedTerminal, "cannot start curses on terminal type '\(term)'")
        }
        self.screen = screen
        isActive = true
        cnc_set_curses_active(1)
        raw()
        noecho()
        nonl()
        keypad(cnc_stdscr(), true)
        nodelay(cnc_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        if mouseRequested { cnc_enable_mouse() }
        define_key("\u{1B}[200~", PasteAssembler.startCode)
        define_key("\u{1B}[201~", PasteAssembler.endCode)
        Self.bracketedPaste(true)
        palette = CursesPalette(monochrome: monochromeRequested)
        self.onEvent = onEvent
        syncSize()
        startSources()
    }

    /// Leaves curses mode and restores the terminal. Safe to call more than once.
    public func stop() {
        sources.forEach { $0.cancel() }
        sources = []
        onEvent = nil
        guard isActive else { return }
        isActive = false
        cnc_set_curses_active(0)
        Self.bracketedPaste(false)
        if mouseRequested { cnc_disable_mouse() }
        curs_set(1)
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
    }

    /// Draws a frame, writing only the cells that differ from the previous frame.
    public func draw(_ buffer: CellBuffer) {
        guard isActive, !suspended, var palette else { return }
        defer { self.palette = palette }
        let old = previous.flatMap { $0.width == buffer.width && $0.height == buffer.height ? $0 : nil }
        if old == nil { erase() }
        let rows = min(buffer.height, height)
        let cols = min(buffer.width, width)
        for y in 0..<rows {
            var lo = 0
            var hi = cols - 1
            if let old {
                while lo < cols && old[lo, y] == buffer[lo, y] { lo += 1 }
                if lo == cols { continue }
                while hi > lo && old[hi, y] == buffer[hi, y] { hi -= 1 }
                while lo > 0 && buffer[lo, y].text.isEmpty { lo -= 1 }
            }
            drawRow(buffer, y: y, from: lo, to: hi, palette: &palette)
        }
        attrset(0)
        refresh()
        previous = buffer
    }

    /// Draws cells `lo...hi` of row `y` as runs of one style; a run restarts at each non-ASCII cell so the cursor
    /// position never depends on ncurses agreeing with ``TextWidth``.
    private func drawRow(_ buffer: CellBuffer, y: Int, from lo: Int, to hi: Int, palette: inout CursesPalette) {
        var x = lo
        while x <= hi {
            let style = buffer[x, y].style
            let start = x
            var run = ""
            while x <= hi, buffer[x, y].style == style {
                let text = buffer[x, y].text
                if text.isEmpty {
                    x += 1
                    if run.isEmpty { break }
                    continue
                }
                let safe = displayable(text)
                if !run.isEmpty && !safe.allSatisfy(\.isASCII) { break }
                run += safe
                x += 1
                if !safe.allSatisfy(\.isASCII) { break }
            }
            if run.isEmpty { continue }
            attrset(palette.attributes(for: style))
            _ = mvaddstr(Int32(y), Int32(start), run)
        }
    }

    /// A cell's text as it may reach the terminal: control characters become `?`, and so does non-ASCII text
    /// outside UTF-8 locales.
    private func displayable(_ text: String) -> String {
        let unsafe = text.unicodeScalars.contains { s in s.value < 0x20 || (0x7F...0x9F).contains(s.value) || (!isUTF8 && s.value > 0x7E) }
        return unsafe ? "?" : text
    }

    /// Forgets the previous frame so the next ``draw(_:)`` repaints everything.
    public func invalidate() {
        previous = nil
        if isActive { clearok(cnc_stdscr(), true) }
    }

    /// Gives the terminal to `body` (an editor, a pager): curses mode ends, input and resize handling pause, and
    /// afterwards curses mode resumes, the size is re-read and the next frame is drawn in full.
    public func suspend<T>(_ body: () async throws -> T) async rethrows -> T {
        guard isActive else { return try await body() }
        suspended = true
        sources.forEach { $0.suspend() }
        def_prog_mode()
        Self.bracketedPaste(false)
        endwin()
        cnc_set_curses_active(0)
        defer {
            reset_prog_mode()
            Self.bracketedPaste(true)
            cnc_set_curses_active(1)
            curs_set(0)
            flushinp()
            suspended = false
            sources.forEach { $0.resume() }
            invalidate()
            refresh()
            syncSize(report: true)
        }
        return try await body()
    }

    // MARK: - Input and resizes

    private func startSources() {
        let input = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .main)
        input.setEventHandler { MainActor.assumeIsolated { self.drainInput() } }
        input.activate()
        let winch = DispatchSource.makeSignalSource(signal: SIGWINCH, queue: .main)
        winch.setEventHandler { MainActor.assumeIsolated { self.syncSize(report: true) } }
        winch.activate()
        sources = [input, winch]
    }

    /// Puts `text` on the clipboard of the terminal (and of the machine in front of it, over ssh) with OSC 52.
    public func copyToClipboard(_ text: String) {
        guard isActive, !suspended else { return }
        refresh()
        Self.writeRaw(OSC52.sequence(text))
    }

    private static func writeRaw(_ text: String) {
        fflush(nil)
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    /// Asks the terminal to bracket pastes (`ESC [ ? 2004 h`), or to stop (for the editor, and at exit).
    private static func bracketedPaste(_ on: Bool) {
        writeRaw(on ? "\u{1B}[?2004h" : "\u{1B}[?2004l")
    }

    /// Reads every pending key without blocking.
    private func drainInput() {
        guard isActive, !suspended else { return }
        var ch: wint_t = 0
        while isActive {
            let rc = get_wch(&ch)
            if rc == ERR { break }
            if rc == cnc_key_code_yes(), Int32(bitPattern: UInt32(ch)) == cnc_key_mouse(), pastes.collecting == nil {
                if let event = Self.readMouse() { onEvent?(.mouse(event)) }
                continue
            }
            switch pastes.feed(UInt32(ch), isFunctionKey: rc == cnc_key_code_yes()) {
            case .key(let key): onEvent?(.key(key))
            case .paste(let text): onEvent?(.paste(text))
            case .resize: syncSize(report: true)
            case .nothing: break
            }
        }
    }

    /// The pending mouse event, if it is one the console uses.
    private static func readMouse() -> MouseEvent? {
        var x: Int32 = 0
        var y: Int32 = 0
        let kind: MouseEvent.Kind
        switch cnc_read_mouse(&x, &y) {
        case 1: kind = .click
        case 2: kind = .doubleClick
        case 3: kind = .wheelUp
        case 4: kind = .wheelDown
        default: return nil
        }
        return MouseEvent(kind, x: Int(x), y: Int(y))
    }

    /// Reads the kernel's idea of the size and resizes curses to it; reports a change.
    private func syncSize(report: Bool = false) {
        guard isActive, !suspended else { return }
        var rows: Int32 = 0
        var cols: Int32 = 0
        if cnc_terminal_size(STDOUT_FILENO, &rows, &cols) == 0, rows > 0, cols > 0 {
            if rows != cnc_lines() || cols != cnc_cols() {
                resizeterm(rows, cols)
                invalidate()
            }
        }
        let changed = Int(cnc_cols()) != width || Int(cnc_lines()) != height
        width = Int(cnc_cols())
        height = Int(cnc_lines())
        if report && changed { onEvent?(.resize(width: width, height: height)) }
    }
}
