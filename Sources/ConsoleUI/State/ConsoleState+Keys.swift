extension ConsoleState {
    /// Routes a key to the active modal input, else through the key-binding table.
    mutating func handleKey(_ key: Key) -> [ConsoleEffect] {
        if case .form(var form) = mode { return formKey(key, &form) }
        let effects = nonFormKey(key)
        // A form's failure reopens it only if no other effect ran since it was submitted.
        if !effects.isEmpty { submittedForm = nil }
        return effects
    }

    /// A paste goes into the text being edited (a form field, the filter, the command line) as text; anywhere else it
    /// is ignored, so a stray paste never runs keys.
    mutating func paste(_ text: String) {
        guard !isTooSmall else { return }
        switch mode {
        case .form(var form):
            if form.fields[safe: form.focus]?.masked == true, text.trimmingCharacters(in: .whitespacesAndNewlines).contains(where: \.isNewline) {
                // Joining the lines of a secret would store a different secret.
                show(.error, "paste ignored: a secret has no line breaks, and this paste has several lines")
                return
            }
            if form.paste(text) {
                mode = .form(form)
            } else {
                show(.info, "paste ignored: the field in focus takes no text")
            }
        case .filter(var input):
            input.insert(pasted: text)
            page.filter = input.text
            page.selected = 0
            page.top = 0
            mode = .filter(input)
        case .command(var command):
            command.input.insert(pasted: text)
            mode = .command(command)
        default:
            show(.info, "paste ignored: pasted text is never read as keys (open a field first)")
        }
    }

    /// Keys while the screen is too small to show anything: none acts, except a quit that would ask nothing.
    mutating func tooSmallKey(_ key: Key) -> [ConsoleEffect] {
        guard key == .char("q") || key == .ctrl("c"), mode == .normal, data.engine.clientsCutOffByQuit == 0 else { return [] }
        return [.quit]
    }

    private mutating func nonFormKey(_ key: Key) -> [ConsoleEffect] {
        switch mode {
        case .confirm(let confirmation): return confirmKey(key, confirmation)
        case .reveal(let secret): return revealKey(key, secret)
        case .filter(var input):
            filterKey(key, &input)
            return []
        case .command(var command): return commandKey(key, &command)
        case .menu(var menu): return menuKey(key, &menu)
        case .form, .normal: break
        }
        guard let binding = registry.binding(for: key, on: screen) else { return [] }
        if binding.isMutating && readOnly {
            show(.error, "read-only mode: \(binding.shortTitle.lowercased()) is disabled")
            return []
        }
        return perform(binding.action, key: key)
    }

    // MARK: Forms and confirmations

    private mutating func formKey(_ key: Key, _ form: inout Form) -> [ConsoleEffect] {
        switch form.handle(key) {
        case .editing:
            mode = .form(form)
        case .cancel:
            mode = .normal
        case .submit:
            let submission = if case .screen(let kind, _) = form.purpose { registry.screen(kind).submit(form, self) } else { form.submission() }
            switch submission {
            case .invalid(let message):
                form.error = message
                mode = .form(form)
            case .unchanged:
                mode = .normal
                show(.info, "nothing changed")
            case .effect(let effect):
                if let refusal = descriptor.refusal(of: effect, self) {
                    form.error = refusal
                    mode = .form(form)
                    return []
                }
                mode = .normal
                form.error = nil
                // An edit session reports its own errors; its form is not reopened.
                if case .edit = effect { submittedForm = nil } else { submittedForm = form }
                descriptor.willRun(effect, &self)
                return [effect]
            }
        }
        return []
    }

    private mutating func confirmKey(_ key: Key, _ confirmation: Confirmation) -> [ConsoleEffect] {
        switch key {
        case .char("y"), .char("Y"):
            mode = .normal
            if confirmation.popsPage, stack.count > 1 { stack.removeLast() }
            return [confirmation.effect]
        case .char("n"), .char("N"), .escape, .char("q"):
            mode = .normal
            show(.info, "cancelled")
        default: break
        }
        return []
    }

    /// The shown-once dialog: `y` copies the secret (it stays open, so it can be read too), `enter` or `esc` closes it
    /// for good; every other key is ignored, so nothing typed in a hurry closes it by accident.
    private mutating func revealKey(_ key: Key, _ secret: ShownOnce) -> [ConsoleEffect] {
        switch key {
        case .char("y"):
            show(.info, "copied to the clipboard (if the terminal allows OSC 52); enter closes")
            return [.copy(secret.value)]
        case .enter, .escape:
            mode = .normal
            show(.info, "\(secret.title.lowercased()) closed: it cannot be shown again")
        default: break
        }
        return []
    }

    // MARK: Filter

    private mutating func filterKey(_ key: Key, _ input: inout TextInput) {
        switch key {
        case .enter:
            mode = .normal
        case .escape:
            mode = .normal
            page.filter = ""
            page.selected = 0
            page.top = 0
        case .up, .down, .pageUp, .pageDown:
            move(key == .up ? .up : key == .down ? .down : key == .pageUp ? .pageUp : .pageDown)
        default:
            _ = input.handle(key)
            mode = .filter(input)
            if page.filter != input.text {
                page.filter = input.text
                page.selected = 0
                page.top = 0
            }
        }
    }
}
