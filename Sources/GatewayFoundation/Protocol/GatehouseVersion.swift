/// The version Gatehouse reports to clients (`serverInfo`, `clientInfo`) and prints for `--version`.
public enum GatehouseVersion {
    /// The release, as semantic version text.
    public static let current = "0.1.0"
}
