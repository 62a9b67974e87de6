import GatewayEngine

/// Screen 5: engine events (imports, configuration changes, errors), newest first (``LogsView``).
enum LogsScreen: ListScreen {
    static let kind = ScreenKind.logs
    static let title = "Logs"
    static let aliases = ["log"]
    static let summary = "engine events"
    static let followsNewest = true

    static func allRows(_ s: ConsoleState, _ page: Page) -> [EngineEvent] { s.data.events }
    static func searchTexts(_ e: EngineEvent) -> [String] { [e.level.rawValue, e.message] }
    static func key(_ e: EngineEvent) -> String { "\(e.time.timeIntervalSince1970)|\(e.message)" }
    /// The columns of ``LogsView``, in its order (LEVEL sorts by severity).
    static let sortColumns: [SortColumn<EngineEvent>] = [
        .number("TIME") { $0.time.timeIntervalSince1970 }, .number("LEVEL") { e in e.level == .error ? 2 : e.level == .warning ? 1 : 0 },
        .text("MESSAGE") { $0.message },
    ]

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { LogsView.draw(&buf, ctx, y: y, height: height) }
}

extension ScreenKind {
    public static let logs = ScreenKind("logs")
}
