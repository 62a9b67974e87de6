extension ConsoleState {
    /// A `:` command.
    struct Command: Sendable {
        var name: String
        var help: String
        var isMutating = false
    }

    /// The `:` commands, in completion order.
    static let commands: [Command] = [
        Command(name: "dashboard", help: "traffic overview"),
        Command(name: "apis", help: "imported APIs"),
        Command(name: "servers", help: "MCP servers"),
        Command(name: "requests", help: "live requests"),
        Command(name: "logs", help: "engine events"),
        Command(name: "policies", help: "policy documents by scope"),
        Command(name: "subscriptions", help: "subscription keys"),
        Command(name: "credentials", help: "outbound credentials"),
        Command(name: "upstreams", help: "upstream MCP servers and their tools"),
        Command(name: "registry", help: "the registry: gateway and external MCP servers, health"),
        Command(name: "help", help: "key bindings"),
        Command(name: "import", help: "import an API", isMutating: true),
        Command(name: "demo", help: "load the demo", isMutating: true),
        Command(name: "refresh", help: "re-sample now"),
        Command(name: "quit", help: "leave (the engine stops)"),
    ]

    static let commandAliases = [
        "q": "quit", "api": "apis", "server": "servers", "srv": "servers", "req": "requests", "log": "logs", "dash": "dashboard",
        "policy": "policies", "pol": "policies", "subscription": "subscriptions", "subs": "subscriptions", "sub": "subscriptions",
        "creds": "credentials", "cred": "credentials", "credential": "credentials", "upstream": "upstreams", "ups": "upstreams", "reg": "registry",
    ]

    /// The commands offered in this mode (mutating ones are hidden when read-only).
    var availableCommands: [Command] { Self.commands.filter { !(readOnly && $0.isMutating) } }

    /// Handles a key in command mode.
    mutating func commandKey(_ key: Key, _ command: inout CommandInput) -> [ConsoleEffect] {
        switch key {
        case .escape:
            mode = .normal
            return []
        case .backspace where command.input.text.isEmpty:
            mode = .normal
            return []
        case .enter:
            mode = .normal
            return run(command.input.text)
        case .tab:
            complete(&command)
        default:
            if command.input.handle(key) { command.candidates = [] }
        }
        mode = .command(command)
        return []
    }

    /// Completes the command name: fully when one matches, else to the longest common prefix, listing the choices.
    private func complete(_ command: inout CommandInput) {
        let prefix = command.input.text.trimmingCharacters(in: .whitespaces).lowercased()
        let matches = availableCommands.map(\.name).filter { $0.hasPrefix(prefix) }
        guard let first = matches.first else {
            command.candidates = []
            return
        }
        if matches.count == 1 {
            command.input.set(first)
            command.candidates = []
            return
        }
        var common = first
        for m in matches.dropFirst() {
            while !m.hasPrefix(common) { common.removeLast() }
        }
        command.input.set(common)
        command.candidates = matches
    }

    /// Runs a command line.
    mutating func run(_ line: String) -> [ConsoleEffect] {
        var name = line.trimmingCharacters(in: .whitespaces).lowercased()
        if name.hasPrefix(":") { name.removeFirst() }
        if name.isEmpty { return [] }
        name = Self.commandAliases[name] ?? name
        guard let command = Self.commands.first(where: { $0.name == name }) else {
            show(.error, "unknown command :\(SafeText.escape(String(name.prefix(40)), ascii: asciiOnly)) (tab completes)")
            return []
        }
        if command.isMutating && readOnly {
            show(.error, "read-only mode: :\(command.name) is disabled")
            return []
        }
        switch command.name {
        case "dashboard": jump(to: .dashboard)
        case "apis": jump(to: .apis)
        case "servers": jump(to: .servers)
        case "requests": jump(to: .requests)
        case "logs": jump(to: .logs)
        case "policies": jump(to: .policies)
        case "subscriptions": jump(to: .subscriptions)
        case "credentials": jump(to: .credentials)
        case "upstreams": jump(to: .upstreams)
        case "registry": openRegistry()
        case "help": return perform(.help, key: .char("?"))
        case "import": return perform(.importAPI, key: .char("i"))
        case "demo": return perform(.loadDemo, key: .char("d"))
        case "refresh": return [.refresh]
        case "quit": return [.quit]
        default: break
        }
        return []
    }
}
