extension String {
    /// The string padded on the left with `pad` to `length` characters (unchanged when already that long).
    package func leftPadded(to length: Int, with pad: Character = "0") -> String {
        count >= length ? self : String(repeating: pad, count: length - count) + self
    }
}
