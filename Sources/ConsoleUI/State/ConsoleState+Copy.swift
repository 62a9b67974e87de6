import Foundation
import GatewayEngine

/// `y`: copies the value an operator most often needs from what is selected — a server's MCP endpoint URL, a
/// request's id (its arguments on its page), a tool's input schema, an engine event's message — to the terminal's clipboard through OSC 52
/// (where the terminal allows it; tmux needs `set -g set-clipboard on`).
extension ConsoleState {
    /// What `y` copies here, and a word for the flash.
    var copyTarget: (what: String, text: String)? {
        switch page.route.kind {
        case .servers, .dashboard, .serverDetail:
            guard let server = targetServer, !data.listenAddress.isEmpty else { return nil }
            return ("the endpoint URL", ServerDetailView.endpoints(data.listenAddress, basePath: server.basePath).mcp)
        case .toolDetail:
            return targetTool.map { ("the input schema of \($0.tool.name)", $0.tool.inputSchema) }
        case .requests:
            return RequestsScreen.selectedRow(self).map { ("the request id", "#\($0.sequence)") }
        case .requestDetail:
            guard let r = page.route.value(as: RequestRecord.self) else { return nil }
            if let args = r.arguments { return ("the arguments of #\(r.sequence) (masked)", ConsoleDataSampler.prettyJSON(args)) }
            return ("the request id", "#\(r.sequence)")
        case .logs:
            return LogsScreen.selectedRow(self).map { ("the event's message", $0.message) }
        case LogEventScreen.kind:
            return page.route.value(as: EngineEvent.self).map { ("the event's message", $0.message) }
        default:
            return nil
        }
    }

    /// `y`.
    mutating func copySelection() -> [ConsoleEffect] {
        guard let target = copyTarget else {
            show(.info, "nothing to copy here (y copies an endpoint URL, a request id or arguments, a tool's schema, an event)")
            return []
        }
        guard target.text.utf8.count <= OSC52.maxBytes else {
            show(.error, "\(target.what) is too long for the terminal's clipboard (\(target.text.utf8.count) bytes)")
            return []
        }
        show(.success, "copied \(target.what) to the clipboard")
        return [.copy(target.text)]
    }
}

/// The OSC 52 clipboard sequence.
public enum OSC52 {
    /// The most bytes copied at once (what terminals accept; k9s uses the same bound).
    public static let maxBytes = 74_994

    /// `ESC ] 52 ; c ; <base64> BEL`.
    public static func sequence(_ text: String) -> String {
        "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
    }
}

extension ConsoleAction {
    /// Copy the selected value to the clipboard.
    public static let copy = ConsoleAction("copy")
}
