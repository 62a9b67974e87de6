import Foundation
import GatewayEngine
import Store

/// The Registry screen (`:registry`): what its keys do. `n` registers an external server, `e` edits an entry, `d`
/// deprecates it, `D` removes an external one, `a` approves an imported one (`A` every pending one), `t` probes now.
/// Every change goes through ``RegistryEffect`` (the CLI's rules: schema, name collisions).
extension ConsoleState {
    /// `:registry`: the screen, pushed on the current tab (`esc` returns).
    mutating func openRegistry() {
        if page.route == .registry { return }
        if case .registryEntry = page.route {
            back()
            return
        }
        push(.registry)
        clamp()
    }

    mutating func performRegistryAction(_ action: ConsoleAction) -> [ConsoleEffect] {
        switch action {
        case .addRegistryEntry:
            mode = .form(.registryAdd())
        case .editRegistryEntry:
            guard let r = targetRegistryRow else { return nothingSelected("registry entry") }
            guard r.status != .deleted else {
                show(.error, "\(safe(r.name)) is deleted: register it again with n")
                return []
            }
            mode = .form(.registryEdit(r))
        case .deprecateRegistryEntry:
            guard let r = targetRegistryRow else { return nothingSelected("registry entry") }
            if r.lifecycle == .deprecated {
                show(.info, "\(safe(r.name)) is already deprecated")
                return []
            }
            mode = .form(.registryDeprecate(r))
        case .removeRegistryEntry:
            guard let r = targetRegistryRow else { return nothingSelected("registry entry") }
            guard r.kind == .external else {
                show(.error, "\(safe(r.name)) is gateway server \(safe(r.server ?? "?")): it leaves the registry when the server is deleted or disabled")
                return []
            }
            mode = .confirm(
                Confirmation(
                    title: "Remove registry entry",
                    lines: [
                        "Remove \(safe(r.name)) \(safe(r.version)) from the registry?",
                        "Clients that sync see it as deleted; gatehouse registry add brings it back.",
                    ], verb: "remove", effect: .registry(.remove(name: r.name, version: r.version)), popsPage: page.route != .registry))
        case .approveRegistryEntry:
            guard let r = targetRegistryRow else { return nothingSelected("registry entry") }
            guard r.awaitsApproval else {
                show(.info, "\(safe(r.name)) waits for no approval")
                return []
            }
            var lines = ["Approve the imported \(r.approval == "pending" ? "entry" : "change of") \(safe(r.name)) \(safe(r.version))?"]
            lines.append("It is listed at once, to every client that may read the registry.")
            if let url = r.url { lines.append("Remote: " + TextFit.truncate(safe(url), to: max(30, width - 20), ascii: asciiOnly)) }
            mode = .confirm(Confirmation(title: "Approve import", lines: lines, verb: "approve", effect: .registry(.approve(name: r.name)), popsPage: false))
        case .approveAllRegistryEntries:
            let pending = data.registry.rows.filter(\.awaitsApproval)
            guard !pending.isEmpty else {
                show(.info, "no imported entry waits for approval")
                return []
            }
            let names = pending.prefix(4).map { safe($0.name) }.joined(separator: ", ") + (pending.count > 4 ? " and \(pending.count - 4) more" : "")
            mode = .confirm(
                Confirmation(
                    title: "Approve imports", lines: ["Approve \(pending.count) imported \(pending.count == 1 ? "entry" : "entries")?", "  " + names],
                    verb: "approve", effect: .registry(.approve(name: nil)), popsPage: false))
        case .probeRegistryEntry:
            if let r = targetRegistryRow, r.kind == .external {
                guard r.url != nil else {
                    show(.error, "\(safe(r.name)) has no remote to probe (packages run on the clients)")
                    return []
                }
                show(.info, "probing \(safe(r.name))…")
                return [.registry(.probe(name: r.name))]
            }
            show(.info, "probing every external entry and HTTP upstream…")
            return [.registry(.probe(name: nil))]
        default: break
        }
        return []
    }
}

extension KeyBinding {
    static let registryScreens: Set<ScreenKind> = [.registry, .registryEntry]

    /// The Registry screen's bindings.
    static let registryBindings: [KeyBinding] = [
        KeyBinding([.char("n")], "Register an external MCP server", short: "New", .addRegistryEntry, .registry, on: [.registry], mutating: true),
        KeyBinding([.char("e")], "Edit the entry", short: "Edit", .editRegistryEntry, .registry, on: registryScreens, mutating: true),
        KeyBinding([.char("d")], "Deprecate the entry (asks why)", short: "Deprecate", .deprecateRegistryEntry, .registry, on: registryScreens, mutating: true),
        KeyBinding([.char("D")], "Remove an external entry (asks first)", short: "Remove", .removeRegistryEntry, .registry, on: registryScreens, dangerous: true),
        KeyBinding([.char("a")], "Approve an imported entry (asks first)", short: "Approve", .approveRegistryEntry, .registry, on: registryScreens, mutating: true),
        KeyBinding(
            [.char("A")], "Approve every pending import (asks first)", short: "Approve all", .approveAllRegistryEntries, .registry, on: [.registry],
            footer: false, mutating: true),
        KeyBinding([.char("t")], "Probe now (initialize, tools/list)", short: "Probe", .probeRegistryEntry, .registry, on: registryScreens, mutating: true),
    ]
}

/// The registry's forms.
enum RegistryFormPurpose: Sendable, Equatable {
    case add
    case edit(name: String, version: String, gateway: String?)
    case deprecate(name: String, version: String, gateway: Bool)
}

extension Form {
    static func registryAdd() -> Form {
        Form(
            title: "Register an external MCP server", purpose: .registry(.add), submitTitle: "register",
            fields: [
                .text("Name", hint: "reverse DNS: com.example/weather"),
                .text("URL", hint: "its Streamable HTTP (or SSE) endpoint"),
                .text("Transport", "streamable", hint: "streamable or sse"),
                .text("Description", hint: "1–100 characters"),
                .text("Version", "1.0.0"),
                .text("Lifecycle", "production", hint: "development, testing, production, deprecated, retired"),
                .text("Owner", hint: "optional"),
                .text("Tags", hint: "optional, comma-separated"),
                .checkbox("Private network", false, hint: "let probes reach it on loopback or a private network"),
            ])
    }

    static func registryEdit(_ r: RegistryListing.Row) -> Form {
        let gateway = r.kind == .gateway ? r.server : nil
        var fields: [FormField] = []
        if gateway != nil { fields.append(.text("Version", r.version, hint: "empty: derived from the configuration revision")) }
        fields += [.text("Title", r.title ?? ""), .text("Description", r.description, hint: "1–100 characters")]
        if gateway == nil { fields.append(.text("URL", r.url ?? "")) }
        fields += [
            .text("Lifecycle", r.lifecycle.rawValue, hint: "development, testing, production, deprecated, retired"), .text("Owner", r.owner ?? ""),
            .text("Tags", r.tags.joined(separator: ", "), hint: "comma-separated"), .text("Message", r.statusMessage ?? "", hint: "why deprecated or retired"),
        ]
        return Form(
            title: "Edit \(r.name)", purpose: .registry(.edit(name: r.name, version: r.version, gateway: gateway)), submitTitle: "save", fields: fields)
    }

    static func registryDeprecate(_ r: RegistryListing.Row) -> Form {
        Form(
            title: "Deprecate \(r.name)", purpose: .registry(.deprecate(name: r.name, version: r.version, gateway: r.kind == .gateway)), submitTitle: "deprecate",
            fields: [.text("Message", hint: "why, and what to use instead (optional)")])
    }

    func registrySubmission(_ purpose: RegistryFormPurpose) -> Submission {
        func text(_ label: String) -> String { fields.first { $0.label == label }?.value ?? "" }
        func optional(_ label: String) -> String? { text(label).isEmpty ? nil : text(label) }
        let tags = text("Tags").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let lifecycleText = text("Lifecycle")
        let lifecycle = RegistryEntryRecord.Lifecycle(rawValue: lifecycleText.isEmpty ? "production" : lifecycleText)
        switch purpose {
        case .add:
            let name = text("Name"), url = text("URL")
            if name.range(of: ServerJSONValidator.namePattern, options: .regularExpression) == nil {
                return .invalid("the name is reverse DNS with one '/': com.example/weather")
            }
            if url.isEmpty { return .invalid("a URL is required") }
            guard let lifecycle else { return .invalid("lifecycle: development, testing, production, deprecated or retired") }
            let spec = RegistryAdmin.Spec(
                name: name, url: url, transport: optional("Transport") ?? "streamable", description: optional("Description"), version: optional("Version"))
            let attributes = RegistryAdmin.Attributes(
                lifecycle: lifecycle, owner: optional("Owner"), tags: tags, allowPrivateNetwork: fields.last?.checked ?? false, origin: "console")
            return .effect(.registry(.add(spec, attributes)))
        case .edit(let name, let version, let gateway):
            guard let lifecycle else { return .invalid("lifecycle: development, testing, production, deprecated or retired") }
            if let d = optional("Description"), d.count > 100 { return .invalid("the description is \(d.count) characters; at most 100") }
            if let server = gateway {
                /// Left as shown: unchanged; emptied: back to the server's own.
                func override(_ label: String) -> String?? {
                    guard let i = fields.firstIndex(where: { $0.label == label }) else { return nil }
                    let value = fields[i].value
                    if value == initial[i].trimmingCharacters(in: .whitespaces) { return nil }
                    return .some(value.isEmpty ? nil : value)
                }
                return .effect(
                    .registry(
                        .updateGateway(
                            server: server, version: override("Version"), title: override("Title"), description: override("Description"), lifecycle: lifecycle,
                            owner: optional("Owner"), tags: tags, message: optional("Message"))))
            }
            let attributes = RegistryAdmin.Attributes(lifecycle: lifecycle, owner: optional("Owner"), tags: tags, statusMessage: optional("Message"))
            return .effect(
                .registry(
                    .updateExternal(name: name, version: version, description: optional("Description"), title: optional("Title"), url: optional("URL"), attributes: attributes)))
        case .deprecate(let name, let version, let gateway):
            return .effect(.registry(.deprecate(name: name, version: gateway ? nil : version, message: optional("Message"))))
        }
    }
}
