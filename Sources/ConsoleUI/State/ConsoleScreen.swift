/// A screen of the console as one unit: what it is called, how it is reached, its key bindings, its rows, how it is
/// drawn, the data it needs sampled and what its actions do. A new screen is one file with a type conforming to this
/// protocol (and its pages, listed in ``pages``) plus one line in ``ScreenRegistry/standard``.
///
/// Every requirement but ``kind`` and ``title`` has a default; a list screen implements ``rowKeys(_:_:)`` (or adopts
/// ``ListScreen``), a text page sets ``isTextPage`` and implements ``lines(_:_:)``. The hooks run inside the pure
/// reducer (``ConsoleState/handle(_:)``) or the pure renderer: they change the state and return effects, never do I/O.
/// What a screen reads from the engine and the store comes from its ``feeds``, sampled by the console service.
protocol ConsoleScreen: SendableMetatype {
    // MARK: Identity and navigation

    /// The kind of screen this describes.
    static var kind: ScreenKind { get }
    /// The title: tabs, the screen menu, breadcrumbs of a root.
    static var title: String { get }
    /// The title on the tab bar (shorter where the full title would not fit 80 columns). Default: ``title``.
    static var tabTitle: String { get }
    /// The tab-bar title when the terminal is too narrow for ``tabTitle``. Default: ``tabTitle``.
    static var compactTitle: String { get }
    /// The `:` command of a top screen (default: ``title`` in lower case) and its aliases (not completed).
    static var command: String { get }
    static var aliases: [String] { get }
    /// What the screen shows, in a few words (the screen menu and `:` help).
    static var summary: String { get }
    /// The pages this screen drills into (each a ``ConsoleScreen`` of its own), registered with it.
    static var pages: [any ConsoleScreen.Type] { get }
    /// The root page of a top screen, also when another screen stands in for it (see ``standIn(_:)``).
    static var isRoot: Bool { get }
    /// A screen shown in this one's place for the current data (the welcome screen while there is nothing to show).
    static func standIn(_ s: ConsoleState) -> ScreenKind?
    /// The breadcrumb of a page of this kind. Default: ``title``.
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String

    // MARK: Keys

    /// The screen's key bindings, in footer order. A binding without screens applies to this screen; a top screen may
    /// list the bindings of its pages (with their kinds), so they share one record in `?`.
    static var bindings: [KeyBinding] { get }
    /// `:` commands besides the jump to this screen (`:import`).
    static var commands: [ScreenCommand] { get }
    /// Whether `/` filters its rows.
    static var isFilterable: Bool { get }
    /// The titles of the columns `>`/`<` sort by (a list screen's ``ListScreen/sortColumns``).
    static var sortTitles: [String] { get }

    // MARK: Rows

    /// A page of text that scrolls (true), or rows with a cursor (false, the default).
    static var isTextPage: Bool { get }
    /// The identities of a list page's rows after its filter, in display order: they keep the cursor on its row when
    /// data changes.
    static func rowKeys(_ s: ConsoleState, _ page: Page) -> [String]
    /// A text page's lines.
    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine]
    /// How many rows (lists) or lines (text pages) the page has. Default: from ``rowKeys(_:_:)`` or ``lines(_:_:)``.
    static func rowCount(_ s: ConsoleState, _ page: Page) -> Int
    /// Lines above a list's table (its header block). Default 0.
    static var headerLines: Int { get }
    /// Rows the cursor moves through per page. Default: the content height less ``headerLines`` and the table header
    /// (lists), or all of it (text pages).
    static func viewport(_ s: ConsoleState, _ page: Page, contentHeight: Int) -> Int
    /// A live list whose cursor on its first (newest) row follows the newest row as rows arrive.
    static var followsNewest: Bool { get }

    // MARK: Reducer hooks

    /// Enter on the selected row: push a page, or return effects.
    static func open(_ s: inout ConsoleState) -> [ConsoleEffect]
    /// Carries out one of the screen's own actions; nil when it is not the screen's.
    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]?
    /// Why an effect submitted from a form on this screen cannot run, or nil (the form then stays open with it).
    static func refusal(of effect: ConsoleEffect, _ s: ConsoleState) -> String?
    /// Called before an effect submitted from a form on this screen runs (to follow a rename, for instance).
    static func willRun(_ effect: ConsoleEffect, _ s: inout ConsoleState)
    /// Called on every registered screen when an effect finished.
    static func effectFinished(_ outcome: EffectOutcome, _ s: inout ConsoleState)
    /// Validates a form this screen opened (``FormPurpose/screen(_:_:)``) and builds its effect.
    static func submit(_ form: Form, _ s: ConsoleState) -> Form.Submission
    /// Words for the title bar (`PAUSED`), shown whatever the screen.
    static func statusFlags(_ s: ConsoleState) -> [String]

    // MARK: Rendering and data

    /// Draws the content area (between the header and the footer). Default: the text page's lines.
    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int)
    /// What the screen needs sampled, and when (``ConsoleFeed``). The sampler reads every registered screen's feeds.
    static var feeds: [ConsoleFeed] { get }
    /// Effects to run when the screen comes into view (asking for data it reads only while wanted). Default none.
    static func appeared(_ s: ConsoleState) -> [ConsoleEffect]
}

/// A list screen whose rows are typed: how rows are derived from ``ConsoleData``, what `/` matches and what identifies
/// a row. ``rows(_:_:)`` applies the page's filter; ``selectedRow(_:)`` is the row under the cursor.
protocol ListScreen: ConsoleScreen {
    associatedtype Row
    /// Every row the page lists, before its filter.
    static func allRows(_ s: ConsoleState, _ page: Page) -> [Row]
    /// The texts the `/` filter matches (case-insensitive substring).
    static func searchTexts(_ row: Row) -> [String]
    /// What identifies a row (unique in the list).
    static func key(_ row: Row) -> String
    /// The page's rows after its filter (a requirement, so that a screen with a filter of its own — the requests
    /// pane's log language — is what the cursor, Enter and the position count use, not the default substring match).
    static func rows(_ s: ConsoleState, _ page: Page) -> [Row]
    /// The columns `>`/`<` sort by, in the order the view shows them (default none).
    static var sortColumns: [SortColumn<Row>] { get }
}

extension ListScreen {
    /// The page's rows after its filter.
    static func rows(_ s: ConsoleState, _ page: Page) -> [Row] {
        sorted(ConsoleState.filtered(allRows(s, page), by: page.filter, searchTexts), page.sort, s)
    }
    static var sortColumns: [SortColumn<Row>] { [] }
    /// The row under the cursor of the page showing, when the page is of this kind.
    static func selectedRow(_ s: ConsoleState) -> Row? {
        s.page.route.kind == kind ? rows(s, s.page)[safe: s.page.selected] : nil
    }
    static func rowKeys(_ s: ConsoleState, _ page: Page) -> [String] { rows(s, page).map(key) }
    static var isFilterable: Bool { true }
}

/// A `:` command a screen adds (besides the jump to it).
struct ScreenCommand: Sendable {
    var name: String
    var help: String
    var aliases: [String] = []
    /// Refused (and not offered) in read-only mode.
    var isMutating = false
    var run: @Sendable (inout ConsoleState) -> [ConsoleEffect]
}

extension ConsoleScreen {
    static var tabTitle: String { title }
    static var compactTitle: String { tabTitle }
    static var command: String { title.lowercased() }
    static var aliases: [String] { [] }
    static var summary: String { title }
    static var pages: [any ConsoleScreen.Type] { [] }
    static var isRoot: Bool { false }
    static func standIn(_ s: ConsoleState) -> ScreenKind? { nil }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { title }

    static var bindings: [KeyBinding] { [] }
    static var commands: [ScreenCommand] { [] }
    static var isFilterable: Bool { false }
    static var sortTitles: [String] { [] }
    static func appeared(_ s: ConsoleState) -> [ConsoleEffect] { [] }

    static var isTextPage: Bool { false }
    static func rowKeys(_ s: ConsoleState, _ page: Page) -> [String] { [] }
    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] { [] }
    static func rowCount(_ s: ConsoleState, _ page: Page) -> Int { isTextPage ? lines(s, page).count : rowKeys(s, page).count }
    static var headerLines: Int { 0 }
    static func viewport(_ s: ConsoleState, _ page: Page, contentHeight: Int) -> Int {
        isTextPage ? max(1, contentHeight) : max(1, contentHeight - headerLines - 1)
    }
    static var followsNewest: Bool { false }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] { [] }
    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { nil }
    static func refusal(of effect: ConsoleEffect, _ s: ConsoleState) -> String? { nil }
    static func willRun(_ effect: ConsoleEffect, _ s: inout ConsoleState) {}
    static func effectFinished(_ outcome: EffectOutcome, _ s: inout ConsoleState) {}
    static func submit(_ form: Form, _ s: ConsoleState) -> Form.Submission { .unchanged }
    static func statusFlags(_ s: ConsoleState) -> [String] { [] }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) {
        TextPageView.draw(&buf, ctx, lines(ctx.state, ctx.state.page), y: y, height: height)
    }
    static var feeds: [ConsoleFeed] { [] }
}
