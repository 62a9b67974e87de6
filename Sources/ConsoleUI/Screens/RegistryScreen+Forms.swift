import Foundation
import GatewayEngine
import Store

/// The Registry screen's forms (register, edit, deprecate), their validation and the tasks they submit. The form's
/// purpose string says which form and which entry: `add`, `edit|NAME|SERVER|VERSION` (SERVER empty for an external
/// entry), `deprecate|NAME|SERVER|VERSION` — the version last, as the only part that may hold `|`.
extension RegistryScreen {
    static func addForm() -> Form {
        Form(
            title: "Register an external MCP server", purpose: .screen(kind, "add"), submitTitle: "register",
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

    static func editForm(_ r: RegistryListing.Row) -> Form {
        let gateway = r.kind == .gateway ? r.server : nil
        var fields: [FormField] = []
        if gateway != nil { fields.append(.text("Version", r.version, hint: "empty: derived from the configuration revision")) }
        fields += [.text("Title", r.title ?? ""), .text("Description", r.description, hint: "1–100 characters")]
        if gateway == nil { fields.append(.text("URL", r.url ?? "")) }
        fields += [
            .text("Lifecycle", r.lifecycle.rawValue, hint: "development, testing, production, deprecated, retired"), .text("Owner", r.owner ?? ""),
            .text("Tags", r.tags.joined(separator: ", "), hint: "comma-separated"),
            .text("Message", r.statusMessage ?? "", hint: "why deprecated or retired"),
        ]
        return Form(title: "Edit \(r.name)", purpose: .screen(kind, purpose("edit", r)), submitTitle: "save", fields: fields)
    }

    static func deprecateForm(_ r: RegistryListing.Row) -> Form {
        Form(
            title: "Deprecate \(r.name)", purpose: .screen(kind, purpose("deprecate", r)), submitTitle: "deprecate",
            fields: [.text("Message", hint: "why, and what to use instead (optional)")])
    }

    private static func purpose(_ form: String, _ r: RegistryListing.Row) -> String {
        [form, r.name, r.kind == .gateway ? r.server ?? "" : "", r.version].joined(separator: "|")
    }

    static func submit(_ form: Form, _ s: ConsoleState) -> Form.Submission {
        guard case .screen(_, let purpose) = form.purpose else { return .unchanged }
        let parts = purpose.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
        func text(_ label: String) -> String { form.fields.first { $0.label == label }?.value ?? "" }
        func optional(_ label: String) -> String? { text(label).isEmpty ? nil : text(label) }
        let tags = text("Tags").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let lifecycleText = text("Lifecycle")
        let lifecycle = RegistryEntryRecord.Lifecycle(rawValue: lifecycleText.isEmpty ? "production" : lifecycleText)
        let lifecycleHelp = "lifecycle: development, testing, production, deprecated or retired"
        switch parts.first {
        case "add":
            let name = text("Name")
            let url = text("URL")
            if name.range(of: ServerJSONValidator.namePattern, options: .regularExpression) == nil {
                return .invalid("the name is reverse DNS with one '/': com.example/weather")
            }
            if url.isEmpty { return .invalid("a URL is required") }
            guard let lifecycle else { return .invalid(lifecycleHelp) }
            if let d = optional("Description"), d.count > 100 { return .invalid("the description is \(d.count) characters; at most 100") }
            let spec = RegistryAdmin.Spec(
                name: name, url: url, transport: optional("Transport") ?? "streamable", description: optional("Description"),
                version: optional("Version"))
            let attributes = RegistryAdmin.Attributes(
                lifecycle: lifecycle, owner: optional("Owner"), tags: tags, allowPrivateNetwork: form.fields.last?.checked ?? false, origin: "console"
            )
            return .effect(.screenTask(adding(spec, attributes)))
        case "edit" where parts.count == 4:
            let (name, server, version) = (parts[1], parts[2], parts[3])
            guard let lifecycle else { return .invalid(lifecycleHelp) }
            if let d = optional("Description"), d.count > 100 { return .invalid("the description is \(d.count) characters; at most 100") }
            if !server.isEmpty {
                /// Left as shown: unchanged; emptied: back to the server's own.
                func override(_ label: String) -> String?? {
                    guard let i = form.fields.firstIndex(where: { $0.label == label }) else { return nil }
                    let value = form.fields[i].value
                    if value == form.initial[i].trimmingCharacters(in: .whitespaces) { return nil }
                    return .some(value.isEmpty ? nil : value)
                }
                let change = GatewayChange(
                    version: override("Version"), title: override("Title"), description: override("Description"), lifecycle: lifecycle,
                    owner: optional("Owner"),
                    tags: tags, message: optional("Message"))
                return .effect(.screenTask(updatingGateway(server, change)))
            }
            let attributes = RegistryAdmin.Attributes(lifecycle: lifecycle, owner: optional("Owner"), tags: tags, statusMessage: optional("Message"))
            let change = ExternalChange(description: optional("Description"), title: optional("Title"), url: optional("URL"), attributes: attributes)
            return .effect(.screenTask(updatingExternal(name, version, change)))
        case "deprecate" where parts.count == 4:
            let version = parts[2].isEmpty ? parts[3] : nil // a gateway entry: every version of its name
            return .effect(.screenTask(deprecating(parts[1], version, message: optional("Message"))))
        default:
            return .unchanged
        }
    }

    // MARK: Tasks

    /// An edit of an external entry: description, title and URL (nil leaves the description and URL; the title
    /// follows the field) and its attributes.
    struct ExternalChange: Sendable {
        var description: String?
        var title: String?
        var url: String?
        var attributes: RegistryAdmin.Attributes
    }

    /// An edit of what a gateway server's entry says. For version, title and description: nil leaves it, `.some(nil)`
    /// goes back to the server's own (a version derived from the configuration revision).
    struct GatewayChange: Sendable {
        var version: String??
        var title: String??
        var description: String??
        var lifecycle: RegistryEntryRecord.Lifecycle
        var owner: String?
        var tags: [String]
        var message: String?
    }

    static func adding(_ spec: RegistryAdmin.Spec, _ attributes: RegistryAdmin.Attributes) -> ScreenTask {
        ScreenTask("registry.add", subject: spec.name) { executor in
            let r = try RegistryAdmin(store: executor.store).add(try RegistryAdmin.document(for: spec), attributes)
            return "registered \(r.name) \(r.version); the engine probes it now"
        }
    }

    static func updatingExternal(_ name: String, _ version: String, _ change: ExternalChange) -> ScreenTask {
        ScreenTask("registry.edit", subject: "\(name)@\(version)") { executor in
            let store = executor.store
            guard let current = try store.registryEntries(named: name).first(where: { $0.version == version && $0.deletedAt == nil }),
                case .object(var doc) = try JSONParser(maxDepth: 64).parse(current.document)
            else { throw GatewayError(.notFound, "no registry entry '\(name)' version \(version)") }
            if let description = change.description { doc["description"] = .string(description) }
            doc["title"] = change.title.map { .string($0) }
            if let url = change.url, url != (doc["remotes"]?.arrayValue?.first?["url"]?.stringValue) {
                let type = doc["remotes"]?.arrayValue?.first?["type"]?.stringValue ?? "streamable-http"
                doc["remotes"] = try RegistryAdmin.document(for: .init(name: name, url: url, transport: type == "sse" ? "sse" : "streamable"))[
                    "remotes"]
            }
            let a = change.attributes
            let r = try RegistryAdmin(store: store).update(name: name, version: version, document: doc) { e in
                e.lifecycle = a.lifecycle
                e.owner = a.owner
                e.tags = a.tags
                e.statusMessage = a.statusMessage
            }
            return "updated \(r.name) \(r.version) (\(r.lifecycle.rawValue))"
        }
    }

    static func updatingGateway(_ server: String, _ c: GatewayChange) -> ScreenTask {
        ScreenTask("registry.edit", subject: "server:\(server)") { executor in
            let r = try RegistryAdmin(store: executor.store).updateGateway(server: server) { g in
                if let version = c.version { g.version = version }
                if let title = c.title { g.title = title }
                if let description = c.description { g.description = description }
                g.lifecycle = c.lifecycle
                g.owner = c.owner
                g.tagList = c.tags
                g.statusMessage = c.message
            }
            return "updated the registry entry of server '\(server)' (\(r.lifecycle.rawValue), version \(r.version ?? "derived"))"
        }
    }

    static func deprecating(_ name: String, _ version: String?, message: String?) -> ScreenTask {
        ScreenTask("registry.deprecate", subject: version.map { "\(name)@\($0)" } ?? name) { executor in
            "deprecated \(try RegistryAdmin(store: executor.store).deprecate(name, version: version, message: message))"
        }
    }
}
