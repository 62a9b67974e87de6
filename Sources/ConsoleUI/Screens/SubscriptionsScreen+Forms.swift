import Foundation
import GatewayEngine

/// Creating a subscription and rotating its key from the console, through ``SubscriptionKeys`` (the CLI's rules). The
/// new key exists in clear only in the outcome's ``ShownOnce``: a dialog shows it once and says so; the flash and the
/// log pane name the subscription and the key's last four characters only.
extension SubscriptionsScreen {
    static let create = ConsoleAction("createSubscription"), rotate = ConsoleAction("rotateSubscriptionKey")

    static let formBindings = [
        KeyBinding([.char("n")], "New subscription (its key is shown once)", short: "New", create, .subscriptions, mutating: true),
        KeyBinding(
            [.char("K")], "Rotate the key (asks first; the new key is shown once)", short: "Rotate key", rotate, .subscriptions, dangerous: true),
    ]

    /// Name, every server or a chosen few, and an optional expiry.
    static func createForm(servers: [String]) -> Form {
        Form(
            title: "New subscription", purpose: .screen(kind, "create"), submitTitle: "create",
            fields: [
                .text("Name", hint: "letters, digits, - _ ."),
                .checkbox("Every server", true, hint: "the key opens every server (uncheck to choose)"),
                .multiSelect("Servers", servers.map { FormOption(id: $0, label: $0, selected: false) }),
                .text("Expires", hint: "optional: 30d or 2027-01-31T00:00:00Z"),
            ])
    }

    static func performForms(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        switch action {
        case create:
            s.mode = .form(createForm(servers: s.data.servers.map(\.name)))
            return []
        case rotate:
            guard let sub = s.targetSubscription else { return s.nothingSelected("subscription") }
            s.confirm(
                "Rotate key",
                [
                    "Replace the key of \(s.safe(sub.name)) (now …\(s.safe(sub.keyHint)))?",
                    "Clients sending the old key are refused (401) at once; the new key is shown once.",
                ],
                .screenTask(rotating(sub.name)), detail: false, verb: "rotate")
            return []
        default:
            return nil
        }
    }

    static func submit(_ form: Form, _ s: ConsoleState) -> Form.Submission {
        guard form.purpose == .screen(kind, "create"), form.fields.count == 4 else { return .unchanged }
        let name = form.fields[0].value
        do { try SubscriptionKeys.validateName(name) } catch { return .invalid(error.message) }
        if s.data.subscriptions.contains(where: { $0.name == name }) { return .invalid("a subscription named '\(name)' exists") }
        var servers: [String]?
        if !form.fields[1].checked {
            servers = form.fields[2].options.filter(\.selected).map(\.id)
            if servers?.isEmpty ?? true { return .invalid("choose at least one server (space toggles), or check Every server") }
        }
        var expiry: Date?
        if !form.fields[3].value.isEmpty {
            do { expiry = try SubscriptionKeys.parseExpiry(form.fields[3].value) } catch { return .invalid("expires: \(error.message)") }
            if let expiry, expiry <= Date() { return .invalid("expires: that time has passed") }
        }
        return .effect(.screenTask(creating(name, servers: servers, expiresAt: expiry)))
    }

    static func creating(_ name: String, servers: [String]?, expiresAt: Date?) -> ScreenTask {
        ScreenTask.revealing("subscription.create", subject: name) { executor in
            let (record, key) = try SubscriptionKeys(store: executor.store).create(name: name, servers: servers, expiresAt: expiresAt)
            let scope = servers.map { "servers \($0.joined(separator: ", "))" } ?? "every server"
            return (
                "created subscription '\(record.name)' (key …\(record.keyHint))",
                ShownOnce(
                    title: "Subscription key", lines: ["The key of subscription \(record.name), for \(scope).", clientsSendIt], value: key)
            )
        }
    }

    static func rotating(_ name: String) -> ScreenTask {
        ScreenTask.revealing("subscription.rotate", subject: name) { executor in
            let key = try SubscriptionKeys(store: executor.store).rotate(name: name)
            return (
                "rotated the key of '\(name)' (now …\(key.suffix(4))); the old key is refused",
                ShownOnce(title: "New subscription key", lines: ["The new key of subscription \(name).", clientsSendIt], value: key)
            )
        }
    }

    private static let clientsSendIt = "Clients send it in the Gatehouse-Subscription-Key header."
}
