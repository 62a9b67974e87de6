import GatewayEngine

/// Screen 6: the policy documents, one per scope, global first, then servers, then tools (``PoliciesView``), and a
/// document's page with the order its policies run in (``PolicyDetailView``): write one for a new scope (`n`), edit it
/// in `$EDITOR`, delete it.
enum PoliciesScreen: ListScreen {
    static let kind = ScreenKind.policies
    static let title = "Policies"
    static let aliases = ["policy", "pol"]
    static let summary = "policy documents by scope"
    static let pages: [any ConsoleScreen.Type] = [PolicyDetailScreen.self]
    static let bindings = [
        KeyBinding.open(on: [.policies]),
        KeyBinding([.char("n")], "New policy document for a scope", short: "New", .newPolicy, .policies, on: [.policies], mutating: true),
        KeyBinding.editYAML(on: [.policies, .policyDetail]),
        KeyBinding(
            [.char("d"), .char("D")], "Delete the document (asks first)", short: "Delete", .deletePolicy, .policies, on: [.policies, .policyDetail],
            dangerous: true),
    ]

    static func allRows(_ s: ConsoleState, _ page: Page) -> [ConsoleData.PolicyRow] { s.data.policies.sorted(by: ConsoleData.PolicyRow.displayOrder) }
    static func searchTexts(_ p: ConsoleData.PolicyRow) -> [String] { [p.scope] + p.inbound + p.outbound }
    static func key(_ p: ConsoleData.PolicyRow) -> String { p.scope }

    static func open(_ s: inout ConsoleState) -> [ConsoleEffect] {
        if let p = selectedRow(s) { s.push(.policy(p.scope)) }
        return []
    }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performPolicyAction(action) }

    /// A document for a server or tool that does not exist would protect nothing (the CLI refuses it too): the new-policy
    /// form stays open saying so.
    static func refusal(of effect: ConsoleEffect, _ s: ConsoleState) -> String? {
        guard case .edit(.policy(let scope)) = effect, let parsed = try? PolicyScope(parsing: scope) else { return nil }
        switch parsed {
        case .global, .registry:
            return nil
        case .server(let name):
            return s.server(name) == nil ? "no server named '\(name)'" : nil
        case .tool(let serverName, let toolName):
            guard s.server(serverName) != nil else { return "no server named '\(serverName)'" }
            return s.tool(server: serverName, toolName) == nil ? "server '\(serverName)' has no tool '\(toolName)'" : nil
        }
    }

    static func draw(_ buf: inout CellBuffer, _ ctx: RenderContext, y: Int, height: Int) { PoliciesView.draw(&buf, ctx, y: y, height: height) }
}

/// A policy document, read-only: what it holds, the order its policies run in, its YAML.
enum PolicyDetailScreen: ConsoleScreen {
    static let kind = ScreenKind.policyDetail
    static let title = "Policy"
    static let isTextPage = true

    static func lines(_ s: ConsoleState, _ page: Page) -> [StyledLine] {
        page.route.value(as: String.self).map { PolicyDetailView.lines(s, scope: $0) } ?? []
    }
    static func crumb(_ route: Route, _ ctx: RenderContext) -> String { ctx.safe(route.value(as: String.self) ?? "") }

    static func perform(_ action: ConsoleAction, _ s: inout ConsoleState) -> [ConsoleEffect]? { s.performPolicyAction(action) }
}

extension ScreenKind {
    public static let policies = ScreenKind("policies"), policyDetail = ScreenKind("policyDetail")
}

extension Route {
    /// A policy document's page, by scope (`global`, `server:<name>`, `tool:<server>/<tool>`).
    static func policy(_ scope: String) -> Route { Route(.policyDetail, scope) }
}

extension ConsoleAction {
    /// Write a policy document for a new scope (asks for the scope, then opens `$EDITOR`).
    public static let newPolicy = ConsoleAction("newPolicy")
    public static let deletePolicy = ConsoleAction("deletePolicy")
}

extension KeyBinding.Group {
    public static let policies = KeyBinding.Group("Policies")
}

extension ConsoleState {
    /// Policy documents: global first, then servers, then tools.
    func policyRows(_ p: Page) -> [ConsoleData.PolicyRow] { PoliciesScreen.rows(self, p) }

    /// The policy document under the cursor (list) or being viewed (detail).
    var targetPolicy: ConsoleData.PolicyRow? {
        PoliciesScreen.selectedRow(self) ?? page.route.value(of: .policyDetail, as: String.self).flatMap(policy)
    }

    mutating func performPolicyAction(_ action: ConsoleAction) -> [ConsoleEffect]? {
        switch action {
        case .newPolicy:
            mode = .form(.newPolicy())
        case .editYAML:
            guard let p = targetPolicy else { return nothingSelected("policy document") }
            return [.edit(.policy(scope: p.scope))]
        case .deletePolicy:
            guard let p = targetPolicy else { return nothingSelected("policy document") }
            let count = p.inbound.count + p.outbound.count
            confirm(
                "Delete policy document",
                [
                    "Delete the policy document of \(safe(p.scope)) (\(count) \(count == 1 ? "policy" : "policies"))?",
                    "Its policies stop applying at once.",
                ],
                .deletePolicy(scope: p.scope), detail: page.route == .policy(p.scope))
        default:
            return nil
        }
        return []
    }
}
