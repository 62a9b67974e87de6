/// What kind of screen is showing: a top screen (``ConsoleScreen`` registered in ``ScreenRegistry``) or a page drilled
/// into from one. It selects the screen's descriptor, hence its key bindings, rows and renderer. Each screen declares
/// its own kinds (`extension ScreenKind { static let servers = ScreenKind("servers") }`) in its file.
public struct ScreenKind: Sendable, Hashable, CustomStringConvertible {
    /// A unique, stable name (`servers`, `serverDetail`).
    public let name: String

    public init(_ name: String) {
        self.name = name
    }

    public var description: String { name }

    /// The `?` page, part of every registry.
    public static let help = ScreenKind("help")
}

/// A value kept in a route or in ``ScreenMemory``: anything sendable and equatable, compared by equality.
struct ScreenValue: Sendable, Equatable {
    let base: any Sendable & Equatable

    init(_ base: any Sendable & Equatable) {
        self.base = base
    }

    static func == (a: ScreenValue, b: ScreenValue) -> Bool { a.base.isEqual(to: b.base) }
}

extension Equatable {
    /// Whether `other` is a value of this type equal to this one.
    fileprivate func isEqual(to other: any Equatable) -> Bool { (other as? Self) == self }
}

/// A page of a tab's navigation stack: which screen kind shows, and what it shows (a server's name, a tool's
/// `[server, tool]`, a frozen ``GatewayEngine/RequestRecord``…). Screens build their routes with typed helpers
/// (`Route.server("pets")`) and read them back with ``value(as:)``.
struct Route: Sendable, Equatable {
    let kind: ScreenKind
    let value: ScreenValue?

    init(_ kind: ScreenKind) {
        self.kind = kind
        value = nil
    }

    init<V: Sendable & Equatable>(_ kind: ScreenKind, _ value: V) {
        self.kind = kind
        self.value = ScreenValue(value)
    }

    /// What the page shows, if it is a `V`.
    func value<V>(as type: V.Type = V.self) -> V? { value?.base as? V }

    /// The route's value when the route is of `kind`.
    func value<V>(of kind: ScreenKind, as type: V.Type = V.self) -> V? { self.kind == kind ? value(as: type) : nil }

    /// The root page of a top screen.
    static func top(_ kind: ScreenKind) -> Route { Route(kind) }

    /// The `?` page.
    static let help = Route(.help)
}

/// One page on a navigation stack, with its cursor, scroll position and filter.
struct Page: Sendable, Equatable {
    var route: Route
    /// The selected row (list pages) or the first visible line (text pages).
    var selected = 0
    /// The first visible row (list pages).
    var top = 0
    /// The row filter typed after `/` (case-insensitive substring).
    var filter = ""
    /// The column the list is sorted by (`>`/`<`), nil for the list's own order.
    var sort: SortOrder?

    init(route: Route) {
        self.route = route
    }
}

/// What screens keep for themselves between events (a frozen list, the latest authorization URL…), in typed slots,
/// so a screen's own state lives in its file and not in ``ConsoleState``.
struct ScreenMemory: Sendable, Equatable {
    /// A typed slot; declare one as a `static let` in the screen's file.
    struct Key<Value: Sendable & Equatable>: Sendable {
        let name: String
        init(_ name: String) { self.name = name }
    }

    private var slots: [String: ScreenValue] = [:]

    subscript<Value>(_ key: Key<Value>) -> Value? {
        get { slots[key.name]?.base as? Value }
        set { slots[key.name] = newValue.map { ScreenValue($0) } }
    }

    subscript<Value>(_ key: Key<Value>, default value: @autoclosure () -> Value) -> Value {
        get { self[key] ?? value() }
        set { self[key] = newValue }
    }
}
