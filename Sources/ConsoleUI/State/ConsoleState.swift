/// The console's whole state: a value type changed only by ``handle(_:)`` (a reducer) and drawn by
/// ``ConsoleRenderer/render(_:)`` (a pure function). I/O lives in the console service.
public struct ConsoleState: Sendable {
    /// Hide and refuse every mutating action.
    public var readOnly: Bool
    /// No colours (NO_COLOR / --no-color).
    public var monochrome: Bool
    /// ASCII glyphs only (non-UTF-8 locale).
    public var asciiOnly: Bool
    public var width: Int
    public var height: Int
    /// The latest sampled data.
    public var data: ConsoleData

    public init(readOnly: Bool = false, monochrome: Bool = false, asciiOnly: Bool = false, width: Int = 100, height: Int = 30, data: ConsoleData = .empty()) {
        self.readOnly = readOnly
        self.monochrome = monochrome
        self.asciiOnly = asciiOnly
        self.width = width
        self.height = height
        self.data = data
    }

    /// Applies one event; returns the effects to execute.
    public mutating func handle(_ event: ConsoleEvent) -> [ConsoleEffect] {
        switch event {
        case .key(.char("q")): return [.quit]
        case .resize(let w, let h):
            width = w
            height = h
        case .data(let d): data = d
        default: break
        }
        return []
    }
}

/// Draws a state into a cell buffer of the state's size.
public enum ConsoleRenderer {
    public static func render(_ state: ConsoleState) -> CellBuffer {
        var buffer = CellBuffer(width: state.width, height: state.height)
        buffer.write("Gatehouse", x: 0, y: 0, style: Style(bold: true))
        return buffer
    }
}
