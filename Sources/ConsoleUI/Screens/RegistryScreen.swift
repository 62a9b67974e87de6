import Foundation
import GatewayEngine
import Store

/// The Registry screen (`:registry`, beyond the numbered tabs): every entry the registry serves — gateway servers and
/// external ones — with kind, version, lifecycle, health, when it was last checked, tools and latency
/// (``RegistryView``); `enter` opens an entry's page: its facts, health (and its upstreams'), last-hour traffic,
/// health history and the `server.json` clients get. What the keys do (register, edit, deprecate, remove, approve,
/// probe) is in `RegistryScreen+Actions.swift`.
enum RegistryScreen: ListScreen {
    static let kind = ScreenKind.registry
    static let title = "Registry"
    static let compactTitle = "Reg"
    static let aliases = ["reg"]
    static let summary = "every MCP server, with live health"
    static let pages: [any ConsoleScreen.Type] = [RegistryEntryScreen.self]
    static let headerLines = RegistryView.headerLines
    static let bindings = [KeyBinding.open(on: [kind])] + actionBindings

    // MARK: Data

    /// The listing (entries, health, histories): re-read when the configuration revision or the recorded health moves
    /// (a probe by the engine, the CLI or this console), never on every refresh (it compiles the routing table).
    static let listing = ScreenMemory.Key<RegistryListing>("registry.listing")
    /// The gateway servers' last-hour traffic from the engine's monitor in this process, at every sample (nil when
    /// the monitor is not in this process: the listing's figures from the request log stand).
    static let live = ScreenMemory.Key<[String: LiveFigures]?>("registry.live")

    static let feeds = [
        ConsoleFeed.screenData(
            listing, .empty,
            refresh: .init(onRevision: true, generation: { Int(truncatingIfNeeded: (try? $0.store.registryRevisions().health) ?? -1) })
        ) { sampler, _ in
            let origin = sampler.listenAddress()
            return try RegistryAdmin(store: sampler.store).listing(
                origin: origin.isEmpty ? "http://127.0.0.1:8080" : origin, live: (sampler.monitoring as? RequestMonitor)?.liveFigures)
        },
        ConsoleFeed.screenData(live, nil, refresh: .everySample) { sampler, now in
            (sampler.monitoring as? RequestMonitor)?.liveFigures.all(now: now)
        },
    ]

    /// The listing with the latest traffic figures.
    static func listing(_ s: ConsoleState) -> RegistryListing {
        var l = s.data.screenData[listing] ?? .empty
        guard let figures = s.data.screenData[live] ?? nil else { return l }
        for i in l.rows.indices where l.rows[i].kind == .gateway && l.rows[i].status != .deleted {
            if let server = l.rows[i].server { l.rows[i].live = figures[server] ?? LiveFigures() }
        }
        return l
    }

    // MARK: Rows

    /// Live entries, and deleted ones only while an imported change waits for approval.
    static func allRows(_ s: ConsoleState, _ page: Page) -> [RegistryListing.Row] {
        listing(s).rows.filter { $0.status != .deleted || $0.awaitsApproval }
    }
    static func searchTexts(_ r: RegistryListing.Row) -> [String] {
        [
            r.name, r.title ?? "", r.description, r.kind.rawValue, r.lifecycle.rawValue, r.health.rawValue, r.approval, r.owner ?? "", r.url ?? "",
            r.version,
        ]
            + r.tags
    }
    static func key(_ r: RegistryListing.Row) -> String { "\(r.name)@\(r.version)" }

    /// One entry by name and version.
    static func row(_ s: ConsoleState, _ name: String, _ version: String) -> RegistryListing.Row? {
        listing(s).rows.first { $0.name == name && $0.version == version }
    }

    /// The entry under the cursor (list) or being viewed (its page).
    static func target(_ s: ConsoleState) -> RegistryListing.Row? {
        if let r = selectedRow(s) { return r }
        if let (name, version) = s.page.route.registryEntryRef { return row(s, name, version) }
        return nil
    }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let r = selectedRow(s) { s.push(.registryEntry(name: r.name, version: r.version)) }
        return []
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { RegistryView.draw(&buf, ctx, y: y, height: height) }
}

/// One entry: facts, health, traffic, history and its `server.json` (scrolls).
enum RegistryEntryScreen: ConsoleScreen {
    static let kind = ScreenKind.registryEntry
    static let title = "Entry"
    static let isTextPage = true

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        guard let (name, version) = page.route.registryEntryRef else { return [] }
        return RegistryView.lines(s, name: name, version: version)
    }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.registryEntryRef?.name ?? "") }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { RegistryScreen.perform(action, &s) }
}

extension ScreenKind {
    public static let registry = ScreenKind("registry"), registryEntry = ScreenKind("registryEntry")
}

extension Route {
    /// A registry entry's page.
    static func registryEntry(name: String, version: String) -> Route { Route(.registryEntry, [name, version]) }

    /// The name and version of a registry entry's page.
    var registryEntryRef: (name: String, version: String)? {
        guard let parts = value(of: .registryEntry, as: [String].self), parts.count == 2 else { return nil }
        return (parts[0], parts[1])
    }
}

extension KeyBinding.Group {
    public static let registry = KeyBinding.Group("Registry")
}
