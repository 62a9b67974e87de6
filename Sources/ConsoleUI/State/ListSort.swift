/// Sorting a list by one of its columns (`>` and `<`): the page remembers which column and which way, the screen
/// says what each sortable column sorts by (``ListScreen/sortColumns``), and ``ListScreen/rows(_:_:)`` applies it after
/// the filter, so the cursor, Enter and the position count all see the sorted order.
struct SortOrder: Sendable, Equatable {
    /// The index in the screen's ``ListScreen/sortColumns``.
    var column: Int
    var descending: Bool

    /// The next order in the cycle `>` walks: none → first column ascending → descending → second column ascending →
    /// … → none; `<` walks it backwards.
    static func step(_ current: SortOrder?, columns: Int, forward: Bool) -> SortOrder? {
        guard columns > 0 else { return nil }
        // Positions: 0 is unsorted, then 2 per column (ascending, descending).
        let count = 1 + 2 * columns
        let position = current.map { 1 + 2 * $0.column + ($0.descending ? 1 : 0) } ?? 0
        let next = (position + (forward ? 1 : count - 1)) % count
        return next == 0 ? nil : SortOrder(column: (next - 1) / 2, descending: (next - 1) % 2 == 1)
    }
}

/// What a column sorts by: text (case-insensitive) or a number; nil sorts last either way.
enum SortKey: Sendable, Comparable {
    case number(Double)
    case text(String)

    static func < (a: SortKey, b: SortKey) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): x < y
        case (.text(let x), .text(let y)): x.localizedCaseInsensitiveCompare(y) == .orderedAscending
        case (.number, .text): true
        case (.text, .number): false
        }
    }
}

/// A sortable column of a list screen: its header title and what it sorts by.
struct SortColumn<Row>: Sendable {
    let title: String
    /// The key of a row; the state is there for figures that are not in the row (a server's live traffic).
    let key: @Sendable (ConsoleState, Row) -> SortKey?

    init(_ title: String, _ key: @escaping @Sendable (ConsoleState, Row) -> SortKey?) {
        self.title = title
        self.key = key
    }

    static func text(_ title: String, _ value: @escaping @Sendable (Row) -> String?) -> SortColumn {
        SortColumn(title) { value($1).map(SortKey.text) }
    }

    static func number(_ title: String, _ value: @escaping @Sendable (Row) -> Double?) -> SortColumn {
        SortColumn(title) { value($1).map(SortKey.number) }
    }

    static func figure(_ title: String, _ value: @escaping @Sendable (ConsoleState, Row) -> Double?) -> SortColumn {
        SortColumn(title) { value($0, $1).map(SortKey.number) }
    }
}

extension ListScreen {
    /// `rows` in `order` (stable: equal keys keep their order; rows without a value last).
    static func sorted(_ rows: [Row], _ order: SortOrder?, _ s: ConsoleState) -> [Row] {
        guard let order, let column = sortColumns[safe: order.column] else { return rows }
        let keyed = rows.enumerated().map { (index: $0.offset, key: column.key(s, $0.element), row: $0.element) }
        return keyed.sorted { a, b in
            switch (a.key, b.key) {
            case (let x?, let y?):
                if x == y { return a.index < b.index }
                return order.descending ? y < x : x < y
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.index < b.index
            }
        }.map(\.row)
    }

    static var sortTitles: [String] { sortColumns.map(\.title) }
}

extension ConsoleState {
    /// `>` / `<`: the next (or previous) sort order of the showing list; a list without sortable columns says so.
    mutating func stepSort(forward: Bool) {
        let titles = descriptor.sortTitles
        guard !titles.isEmpty else {
            show(.info, "this list has no sortable columns")
            return
        }
        page.sort = SortOrder.step(page.sort, columns: titles.count, forward: forward)
        page.selected = 0
        page.top = 0
        show(.info, sortLabel.map { "sorted by \($0)" } ?? "unsorted (the list's own order)")
    }

    /// `LATENCY ▼`: the column the showing list is sorted by, and which way.
    var sortLabel: String? {
        guard let order = page.sort, let title = descriptor.sortTitles[safe: order.column] else { return nil }
        return title + (order.descending ? (asciiOnly ? " desc" : " ▼") : (asciiOnly ? " asc" : " ▲"))
    }
}

extension ConsoleAction {
    /// Sort the list by the next column, or the same one the other way.
    public static let sortNext = ConsoleAction("sortNext")
    /// Step the sort order back.
    public static let sortPrevious = ConsoleAction("sortPrevious")
}
