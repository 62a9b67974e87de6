import Foundation
import GatewayEngine
import Store

/// Screen 4: live requests, newest first (``RequestsView``); `p` freezes the list, enter opens a request's page
/// (``RequestDetailView``), which keeps the record so it stays put while the list moves on.
enum RequestsScreen: ListScreen {
    static let kind = ScreenKind.requests
    static let title = "Requests"
    static let compactTitle = "Reqs"
    static let aliases = ["req"]
    static let summary = "live requests"
    static let pages: [any ConsoleScreen.Type] = [RequestDetailScreen.self]
    static let followsNewest = true
    static let feeds = [historyFeed]
    static let bindings =
        [
            KeyBinding.open(on: [.requests]),
            KeyBinding([.char("p")], "Pause or resume the live list", short: "Pause", .pause, .requests, on: [.requests]) {
                $0.isPaused ? "Resume" : nil
            },
        ] + historyBindings

    /// The rows frozen by `p`.
    static let paused = ScreenMemory.Key<[RequestRecord]>("requests.paused")

    static func allRows(_ s: ConsoleState, _ page: Page) -> [RequestRecord] { s.showsHistory ? s.historyRecords : s.liveRecords }
    static func searchTexts(_ r: RequestRecord) -> [String] {
        [r.server, r.client, r.method, r.tool ?? "", r.outcome.rawValue, String(r.status), r.transport, r.error ?? ""]
    }
    static func key(_ r: RequestRecord) -> String { String(r.sequence) }

    /// `/` takes the request log's filter language (`tool:get* status:error latency>500ms`, as `gatehouse logs`
    /// does) when the text names a key; plain words match any column as a substring, as on every other screen.
    static func rows(_ s: ConsoleState, _ page: Page) -> [RequestRecord] {
        let filtered: [RequestRecord]
        switch filter(page.filter) {
        case .language(let f): filtered = allRows(s, page).filter { f.matches($0) }
        case .words, .invalid: filtered = ConsoleState.filtered(allRows(s, page), by: page.filter, searchTexts)
        }
        return sorted(filtered, page.sort, s)
    }

    /// The columns of ``RequestsView``, in its order.
    static let sortColumns: [SortColumn<RequestRecord>] = [
        .number("TIME") { $0.time.timeIntervalSince1970 }, .text("SERVER") { $0.server }, .text("CLIENT") { $0.client },
        .text("METHOD") { $0.method }, .text("TOOL") { $0.tool }, .text("OUTCOME") { $0.outcome.rawValue }, .number("HTTP") { Double($0.status) },
        .number("LATENCY") { Double($0.latency.microseconds) },
    ]

    enum Filter {
        case words
        case language(RequestLogFilter)
        case invalid(RequestLogFilterError)
    }

    /// How the page's filter text reads: words, a filter expression, or an expression with an error.
    static func filter(_ text: String) -> Filter {
        guard text.contains(where: { ":<>=".contains($0) }) else { return .words }
        do {
            return .language(try RequestLogFilter(parsing: text))
        } catch {
            return .invalid(error)
        }
    }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let record = selectedRow(s) { s.push(.request(record)) }
        return []
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        if let effects = performHistory(action, &s) { return effects }
        guard action == .pause else { return nil }
        if s.memory[paused] == nil {
            s.memory[paused] = s.data.records
            s.show(.info, "requests paused: press p to resume")
        } else {
            s.memory[paused] = nil
            s.clampAllPages()
            s.show(.info, "requests live again")
        }
        return []
    }

    static func statusFlags(_ s: ConsoleState) -> [String] {
        var flags = s.isPaused ? ["PAUSED"] : []
        if s.showsHistory { flags.append("HISTORY") }
        if s.page.route.kind == kind, case .invalid(let e) = filter(s.page.filter) { flags.append("FILTER \(e.formatted)") }
        return flags
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { RequestsView.draw(&buf, ctx, y: y, height: height) }
}

/// One request: method, tool, outcome, the principal and policy decisions, the latency breakdown, masked arguments.
enum RequestDetailScreen: ConsoleScreen {
    static let kind = ScreenKind.requestDetail
    static let title = "Request"
    static let isTextPage = true

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        page.route.value(as: RequestRecord.self).map { RequestDetailView.lines(s, $0) } ?? []
    }

    static func crumb(_ route: Route, _ ctx: RenderContext) -> String {
        guard let r = route.value(as: RequestRecord.self) else { return title }
        return "#\(r.sequence) \(ctx.safe(r.tool ?? r.method))"
    }
}

extension ScreenKind {
    public static let requests = ScreenKind("requests"), requestDetail = ScreenKind("requestDetail")
}

extension Route {
    /// A request's page, with the record as it was when opened.
    static func request(_ record: RequestRecord) -> Route { Route(.requestDetail, record) }
}

extension ConsoleAction {
    /// Freeze the live request list, or let it move again.
    public static let pause = ConsoleAction("pause")
}

extension KeyBinding.Group {
    public static let requests = KeyBinding.Group("Requests")
}

extension ConsoleState {
    /// Whether the requests pane is paused (`p`).
    public var isPaused: Bool { memory[RequestsScreen.paused] != nil }

    /// The request rows: frozen while paused, else live.
    var liveRecords: [RequestRecord] { memory[RequestsScreen.paused] ?? data.records }

    func recordRows(_ p: Page) -> [RequestRecord] { RequestsScreen.rows(self, p) }
}
