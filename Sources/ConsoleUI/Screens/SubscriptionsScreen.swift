/// Screen 7: subscriptions, the named keys clients send in `Gatehouse-Subscription-Key` (``SubscriptionsView``):
/// create one or rotate its key (the key shown once, `SubscriptionsScreen+Forms.swift`), suspend or resume one, delete
/// one.
enum SubscriptionsScreen: ListScreen {
    static let kind = ScreenKind.subscriptions
    static let title = "Subscriptions"
    static let tabTitle = "Subs"
    static let aliases = ["subscription", "subs", "sub"]
    static let summary = "subscription keys"
    static let headerLines = SubscriptionsView.headerLines
    static let bindings =
        formBindings + [
            KeyBinding(
                [.char("s")], "Suspend or resume the subscription", short: "Suspend/resume", .toggleSubscription, .subscriptions, mutating: true),
            KeyBinding([.char("d"), .char("D")], "Delete it (asks first)", short: "Delete", .deleteSubscription, .subscriptions, dangerous: true),
        ]

    static func allRows(_ s: ConsoleState, _ page: Page) -> [ConsoleData.SubscriptionRow] { s.data.subscriptions }
    static func searchTexts(_ sub: ConsoleData.SubscriptionRow) -> [String] {
        [sub.name, sub.active ? "active" : "suspended"] + (sub.servers ?? ["all"])
    }
    static func key(_ sub: ConsoleData.SubscriptionRow) -> String { sub.name }
    /// The columns of ``SubscriptionsView``, in its order.
    static let sortColumns: [SortColumn<ConsoleData.SubscriptionRow>] = [
        .text("NAME") { $0.name }, .text("STATE") { $0.active ? "active" : "suspended" },
        .text("SERVERS") { ($0.servers ?? ["all"]).joined(separator: ",") },
        .text("KEY") { $0.keyHint }, .number("EXPIRES") { $0.expiresAt?.timeIntervalSince1970 },
        .number("CREATED") { $0.createdAt.timeIntervalSince1970 },
    ]

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? {
        switch action {
        case .toggleSubscription:
            guard let sub = s.targetSubscription else { return s.nothingSelected("subscription") }
            let name = s.safe(sub.name)
            s.confirm(
                sub.active ? "Suspend subscription" : "Resume subscription",
                sub.active
                    ? ["Suspend the subscription \(name)?", "Clients sending its key are refused (401) at once, until it is resumed."]
                    : ["Resume the subscription \(name)?", "Clients sending its key are served again at once."],
                .setSubscriptionActive(name: sub.name, active: !sub.active), detail: false, verb: sub.active ? "suspend" : "resume")
            return []
        case .deleteSubscription:
            guard let sub = s.targetSubscription else { return s.nothingSelected("subscription") }
            s.confirm(
                "Delete subscription",
                [
                    "Delete the subscription \(s.safe(sub.name)) (key \(SubscriptionsView.keyHint(sub.keyHint, ascii: s.asciiOnly)))?",
                    "Clients sending its key are refused at once. This cannot be undone.",
                ],
                .deleteSubscription(name: sub.name), detail: false)
            return []
        default:
            return performForms(action, &s)
        }
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { SubscriptionsView.draw(&buf, ctx, y: y, height: height) }
}

extension ScreenKind {
    public static let subscriptions = ScreenKind("subscriptions")
}

extension ConsoleAction {
    /// Suspend an active subscription, or resume a suspended one.
    public static let toggleSubscription = ConsoleAction("toggleSubscription")
    public static let deleteSubscription = ConsoleAction("deleteSubscription")
}

extension KeyBinding.Group {
    public static let subscriptions = KeyBinding.Group("Subscriptions")
}

extension ConsoleState {
    func subscriptionRows(_ p: Page) -> [ConsoleData.SubscriptionRow] { SubscriptionsScreen.rows(self, p) }

    /// The subscription under the cursor.
    var targetSubscription: ConsoleData.SubscriptionRow? { SubscriptionsScreen.selectedRow(self) }
}
