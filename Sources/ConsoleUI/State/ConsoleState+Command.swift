extension ConsoleState {
    /// The commands offered in this mode (mutating ones are hidden when read-only), in completion order.
    var availableCommands: [ScreenCommand] { registry.commands.filter { !(readOnly && $0.isMutating) } }

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

    /// Runs a command line: a screen's name jumps to it, whether or not it has a number key.
    mutating func run(_ line: String) -> [ConsoleEffect] {
        var name = line.trimmingCharacters(in: .whitespaces).lowercased()
        if name.hasPrefix(":") { name.removeFirst() }
        if name.isEmpty { return [] }
        name = registry.aliases[name] ?? name
        guard let command = registry.commands.first(where: { $0.name == name }) else {
            show(.error, "unknown command :\(SafeText.escape(String(name.prefix(40)), ascii: asciiOnly)) (tab completes)")
            return []
        }
        if command.isMutating && readOnly {
            show(.error, "read-only mode: :\(command.name) is disabled")
            return []
        }
        return command.run(&self)
    }
}
