import Foundation

/// One choice of a multi-select field.
struct FormOption: Sendable, Equatable {
    var id: String
    var label: String
    var selected: Bool

    init(id: String, label: String, selected: Bool) {
        self.id = id
        self.label = label
        self.selected = selected
    }
}

/// A form field: a text input, a checkbox or a multi-select list. A secret text field (``secret(_:hint:)``) is drawn
/// masked, one `•` per character, and its text never appears in a description of the field (or of a state holding it).
struct FormField: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    enum Kind: Sendable, Equatable { case text, checkbox, multiSelect }

    var label: String
    var kind: Kind
    /// A dim note after the field (e.g. `optional`), or the checkbox's text.
    var hint: String
    var input = TextInput()
    var checked = false
    var options: [FormOption] = []
    /// The option under the cursor (multi-select).
    var cursor = 0
    /// A secret text field: masked on screen and in descriptions.
    var masked = false

    init(label: String, kind: Kind, hint: String = "") {
        self.label = label
        self.kind = kind
        self.hint = hint
    }

    static func text(_ label: String, _ value: String = "", hint: String = "") -> FormField {
        var f = FormField(label: label, kind: .text, hint: hint)
        f.input.set(value)
        return f
    }

    /// A text field for a secret: typed or pasted, never echoed.
    static func secret(_ label: String, hint: String) -> FormField {
        var f = FormField(label: label, kind: .text, hint: hint)
        f.masked = true
        return f
    }

    static func checkbox(_ label: String, _ checked: Bool, hint: String) -> FormField {
        var f = FormField(label: label, kind: .checkbox, hint: hint)
        f.checked = checked
        return f
    }

    static func multiSelect(_ label: String, _ options: [FormOption]) -> FormField {
        var f = FormField(label: label, kind: .multiSelect)
        f.options = options
        return f
    }

    /// The trimmed text of a text field.
    var value: String { input.text.trimmingCharacters(in: .whitespaces) }

    /// The input as drawn: a secret's characters each replaced by `•` (`*` in ASCII), the cursor where it is.
    func shownInput(ascii: Bool) -> TextInput {
        guard masked else { return input }
        var shown = TextInput(String(repeating: ascii ? "*" : "•", count: input.text.count))
        shown.cursor = input.cursor
        return shown
    }

    var description: String {
        switch kind {
        case .text: "\(label): \(masked ? "<\(input.text.count) masked characters>" : input.text.debugDescription)"
        case .checkbox: "\(label): \(checked ? "[x]" : "[ ]")"
        case .multiSelect: "\(label): \(options.filter(\.selected).map(\.id))"
        }
    }
    var debugDescription: String { description }
}

/// What a form is for: decides its fields and the effect it submits.
enum FormPurpose: Sendable, Equatable {
    case importAPI
    case createServer(api: String)
    case editServer(name: String)
    case renameTool(server: String, tool: String)
    case overrideDescription(server: String, tool: String)
    /// Ask for a scope, then edit its policy document.
    case newPolicy
    /// A form a screen opened: the screen's ``ConsoleScreen/submit(_:_:)`` validates it (the string says which of
    /// its forms it is).
    case screen(ScreenKind, String)
}

/// A modal form drawn over the current screen. `Tab`/`Shift-Tab` move between fields, `Enter` submits, `Esc` cancels;
/// `space` toggles a checkbox or the option under the cursor, `a` toggles all options.
struct Form: Sendable, Equatable {
    var title: String
    var purpose: FormPurpose
    var fields: [FormField]
    /// The focused field.
    var focus = 0
    /// What went wrong on the last submit (shown in the form).
    var error: String?
    /// The verb on the submit hint (`enter import`).
    var submitTitle: String
    /// The text fields' values when the form opened (to send only what changed).
    let initial: [String]

    init(title: String, purpose: FormPurpose, submitTitle: String, fields: [FormField]) {
        self.title = title
        self.purpose = purpose
        self.submitTitle = submitTitle
        self.fields = fields
        initial = fields.map(\.input.text)
    }

    /// What a key did to the form.
    enum KeyResult { case editing, submit, cancel }

    /// Applies a key. Every printable key is consumed: text fields take them as text.
    mutating func handle(_ key: Key) -> KeyResult {
        guard !fields.isEmpty else { return key == .escape ? .cancel : .editing }
        switch key {
        case .escape: return .cancel
        case .enter: return .submit
        case .tab: focus = (focus + 1) % fields.count
        case .backTab: focus = (focus + fields.count - 1) % fields.count
        default: editFocused(key)
        }
        return .editing
    }

    /// Pastes into the focused text field; false when the focus is not a text field (the paste is then ignored).
    mutating func paste(_ text: String) -> Bool {
        guard fields.indices.contains(focus), fields[focus].kind == .text else { return false }
        fields[focus].input.insert(pasted: text)
        return true
    }

    private mutating func editFocused(_ key: Key) {
        let index = focus
        var field = fields[index]
        switch field.kind {
        case .text:
            if !field.input.handle(key) {
                if key == .down { focus = min(fields.count - 1, focus + 1) }
                if key == .up { focus = max(0, focus - 1) }
            }
        case .checkbox:
            switch key {
            case .char(" "), .char("x"): field.checked.toggle()
            case .down: focus = min(fields.count - 1, focus + 1)
            case .up: focus = max(0, focus - 1)
            default: break
            }
        case .multiSelect:
            let n = field.options.count
            switch key {
            case .char(" "), .char("x"):
                if n > 0 { field.options[field.cursor].selected.toggle() }
            case .char("a"):
                let all = field.options.allSatisfy(\.selected)
                for i in field.options.indices { field.options[i].selected = !all }
            case .down, .char("j"): field.cursor = min(max(0, n - 1), field.cursor + 1)
            case .up, .char("k"):
                if field.cursor == 0 { focus = max(0, focus - 1) } else { field.cursor -= 1 }
            case .pageDown: field.cursor = min(max(0, n - 1), field.cursor + 10)
            case .pageUp: field.cursor = max(0, field.cursor - 10)
            case .home, .char("g"): field.cursor = 0
            case .end, .char("G"): field.cursor = max(0, n - 1)
            default: break
            }
        }
        fields[index] = field
    }
}
