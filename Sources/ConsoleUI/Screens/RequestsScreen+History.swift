import GatewayEngine

/// The requests pane's stored history (`H`): the request log on disk instead of the records in memory, selected
/// with the pane's filter (in SQL, so it reaches back to the log's oldest record) and paged back with `O`.
extension RequestsScreen {
    /// Whether the pane shows the stored history.
    static let historyOn = ScreenMemory.Key<Bool>("requests.historyOn")
    /// The loaded pages (drained from ``RequestHistory`` at every sample).
    static let historyRows = ScreenMemory.Key<RequestHistory.Loaded?>("requests.history")

    static let historyFeed = ConsoleFeed.screenData(historyRows, nil, refresh: .everySample) { sampler, _ in
        RequestHistory.shared.current(for: sampler.store)
    }

    static let historyBindings = [
        KeyBinding([.char("H")], "Stored request log, or live", short: "History", .history, .requests, on: [.requests]) {
            $0.showsHistory ? "Live" : nil
        },
        KeyBinding([.char("O")], "Older stored requests", short: "Older", .olderHistory, .requests, on: [.requests], footer: false),
    ]

    /// `H` and `O`.
    static func performHistory(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        switch action {
        case .history:
            if s.showsHistory {
                s.memory[historyOn] = nil
                s.page.selected = 0
                s.page.top = 0
                s.show(.info, "requests live again")
                return [
                    .screenTask(
                        ScreenTask("requests.history.clear", subject: "", readsOnly: true) { e in
                            RequestHistory.shared.clear(for: e.store)
                            return "live requests"
                        })
                ]
            }
            s.memory[historyOn] = true
            s.page.selected = 0
            s.page.top = 0
            return [load(s, more: false)]
        case .olderHistory:
            guard s.showsHistory else {
                s.show(.info, "H shows the stored history first")
                return []
            }
            if s.data.screenData[historyRows]??.exhausted == true {
                s.show(.info, "that is the oldest stored request")
                return []
            }
            return [load(s, more: true)]
        default:
            return nil
        }
    }

    /// Loads a page with the pane's filter when it is the log's language (plain words filter what was loaded).
    static func load(_ s: ConsoleState, more: Bool) -> ConsoleEffect {
        let text: String
        switch filter(s.page.filter) {
        case .language: text = s.page.filter
        case .words, .invalid: text = ""
        }
        return .screenTask(
            ScreenTask("requests.history", subject: text + (more ? " older" : ""), readsOnly: true) { e in
                try RequestHistory.shared.load(e.store, filter: text, more: more)
            })
    }
}

extension ConsoleAction {
    /// Show the stored request log instead of the live records, or go back.
    public static let history = ConsoleAction("history")
    /// Load the next older page of the stored request log.
    public static let olderHistory = ConsoleAction("olderHistory")
}

extension ConsoleState {
    /// Whether the requests pane shows the stored history (`H`).
    var showsHistory: Bool { memory[RequestsScreen.historyOn] == true }

    /// The stored history as loaded (newest first), empty until the first page arrives.
    var historyRecords: [RequestRecord] { data.screenData[RequestsScreen.historyRows]??.records ?? [] }
}
