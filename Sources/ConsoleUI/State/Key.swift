/// A key press, decoded from the terminal by the backend.
public enum Key: Sendable, Hashable {
    case char(Character)
    case ctrl(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, pageUp, pageDown, home, end
    case function(Int)
}
