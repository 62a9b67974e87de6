/// A mouse event at a cell (column `x`, row `y`, from the top left), as the terminal backend reports it.
public struct MouseEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: Sendable, Equatable { case click, doubleClick, wheelUp, wheelDown }
    public var kind: Kind
    public var x: Int
    public var y: Int

    public init(_ kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}
