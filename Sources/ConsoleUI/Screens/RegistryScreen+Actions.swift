import Foundation
import GatewayEngine
import Store

/// What the Registry screen's keys do. `n` registers an external server, `e` edits an entry, `d` deprecates it, `D`
/// removes an external one, `a` approves an imported one (`A` every pending one), `t` probes now. Every change is a
/// ``ScreenTask`` through ``RegistryAdmin`` (the CLI's rules: the schema, name collisions, the SSRF guard on probes).
extension RegistryScreen {
    static let add = ConsoleAction("addRegistryEntry"), edit = ConsoleAction("editRegistryEntry")
    static let deprecate = ConsoleAction("deprecateRegistryEntry"), remove = ConsoleAction("removeRegistryEntry")
    static let approve = ConsoleAction("approveRegistryEntry"), approveAll = ConsoleAction("approveAllRegistryEntries")
    static let probe = ConsoleAction("probeRegistryEntry")

    static let actionBindings: [KeyBinding] = {
        let both: Set<ScreenKind> = [.registry, .registryEntry]
        return [
            KeyBinding([.char("n")], "Register an external MCP server", short: "New", add, .registry, on: [.registry], mutating: true),
            KeyBinding([.char("e")], "Edit the entry", short: "Edit", edit, .registry, on: both, mutating: true),
            KeyBinding([.char("d")], "Deprecate the entry (asks why)", short: "Deprecate", deprecate, .registry, on: both, mutating: true),
            KeyBinding([.char("D")], "Remove an external entry (asks first)", short: "Remove", remove, .registry, on: both, dangerous: true),
            KeyBinding([.char("a")], "Approve an imported entry (asks first)", short: "Approve", approve, .registry, on: both, mutating: true),
            KeyBinding(
                [.char("A")], "Approve every pending import (asks first)", short: "Approve all", approveAll, .registry, on: [.registry],
                footer: false,
                mutating: true),
            KeyBinding([.char("t")], "Probe now (initialize, tools/list)", short: "Probe", probe, .registry, on: both, mutating: true),
        ]
    }()

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        switch action {
        case add:
            s.mode = .form(addForm())
        case edit:
            guard let r = target(s) else { return s.nothingSelected("registry entry") }
            guard r.status != .deleted else {
                s.show(.error, "\(s.safe(r.name)) is deleted: register it again with n")
                return []
            }
            s.mode = .form(editForm(r))
        case deprecate:
            guard let r = target(s) else { return s.nothingSelected("registry entry") }
            if r.lifecycle == .deprecated {
                s.show(.info, "\(s.safe(r.name)) is already deprecated")
                return []
            }
            s.mode = .form(deprecateForm(r))
        case remove:
            guard let r = target(s) else { return s.nothingSelected("registry entry") }
            guard r.kind == .external else {
                s.show(
                    .error,
                    "\(s.safe(r.name)) is gateway server \(s.safe(r.server ?? "?")): it leaves the registry when the server is deleted or disabled")
                return []
            }
            let lines = [
                "Remove \(s.safe(r.name)) \(s.safe(r.version)) from the registry?",
                "Clients that sync see it as deleted; gatehouse registry add brings it back.",
            ]
            s.confirm(
                "Remove registry entry", lines, .screenTask(removing(r.name, r.version)), detail: s.page.route.kind == .registryEntry, verb: "remove")
        case approve:
            guard let r = target(s) else { return s.nothingSelected("registry entry") }
            guard r.awaitsApproval else {
                s.show(.info, "\(s.safe(r.name)) waits for no approval")
                return []
            }
            var lines = ["Approve the imported \(r.approval == "pending" ? "entry" : "change of") \(s.safe(r.name)) \(s.safe(r.version))?"]
            lines.append("It is listed at once, to every client that may read the registry.")
            if let url = r.url { lines.append("Remote: " + TextFit.truncate(s.safe(url), to: max(30, s.width - 20), ascii: s.asciiOnly)) }
            s.confirm("Approve import", lines, .screenTask(approving(r.name)), detail: false, verb: "approve")
        case approveAll:
            let pending = listing(s).rows.filter(\.awaitsApproval)
            guard !pending.isEmpty else {
                s.show(.info, "no imported entry waits for approval")
                return []
            }
            let names =
                pending.prefix(4).map { s.safe($0.name) }.joined(separator: ", ") + (pending.count > 4 ? " and \(pending.count - 4) more" : "")
            let lines = ["Approve \(pending.count) imported \(pending.count == 1 ? "entry" : "entries")?", "  " + names]
            s.confirm("Approve imports", lines, .screenTask(approving(nil)), detail: false, verb: "approve")
        case probe:
            if let r = target(s), r.kind == .external {
                guard r.url != nil else {
                    s.show(.error, "\(s.safe(r.name)) has no remote to probe (packages run on the clients)")
                    return []
                }
                s.show(.info, "probing \(s.safe(r.name))…")
                return [.screenTask(probing(r.name))]
            }
            s.show(.info, "probing every external entry and HTTP upstream…")
            return [.screenTask(probing(nil))]
        default:
            return nil
        }
        return []
    }

    // MARK: Tasks (run by the executor)

    static func removing(_ name: String, _ version: String) -> ScreenTask {
        ScreenTask("registry.remove", subject: "\(name)@\(version)") { executor in
            "removed \(try executor.store.removeRegistryEntry(name: name, version: version).joined(separator: ", "))"
        }
    }

    static func approving(_ name: String?) -> ScreenTask {
        ScreenTask("registry.approve", subject: name ?? "*") { executor in
            let approved = try executor.store.approveRegistryEntries(name: name)
            return approved.isEmpty ? "nothing waited for approval" : "approved \(approved.joined(separator: ", "))"
        }
    }

    /// Probes from this process and records the results (the engine's prober reads them as any other probe).
    static func probing(_ name: String?) -> ScreenTask {
        ScreenTask("registry.probe", subject: name ?? "*") { executor in
            let outcomes = try await RegistryAdmin(store: executor.store).probe(name)
            if let one = outcomes.first, outcomes.count == 1 {
                return "\(one.target): \(one.state.rawValue)" + (one.latencyMs.map { String(format: " in %.0f ms", $0) } ?? "")
                    + (one.toolCount.map { ", \($0) tools" } ?? "") + (one.change.map { " (\($0))" } ?? "")
            }
            let up = outcomes.filter { $0.state == .reachable }.count
            return "probed \(outcomes.count): \(up) reachable, \(outcomes.count - up) not"
        }
    }
}
