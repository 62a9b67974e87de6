import Foundation

extension StoreConfiguration {
    /// Refuses a database "path" that is really a URL (`postgres://…`, `postgresql://…`, `sqlite:…`): only SQLite
    /// files are supported, and a URL must never silently become a file under a `postgres:` directory. The URL
    /// itself is not repeated (it may hold a password); only its scheme is named.
    static func refuseURL(_ path: String) throws(StoreError) {
        let lower = path.lowercased()
        let scheme = lower.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        let schemes = ["postgres", "postgresql", "pg", "mysql", "sqlite", "sqlite3", "file", "http", "https"]
        guard lower.contains("://") || (schemes.contains(scheme) && lower.hasPrefix(scheme + ":")) else { return }
        let hint =
            scheme.hasPrefix("postg") || scheme == "pg"
            ? "PostgreSQL is not supported yet; " : ""
        throw StoreError(
            .invalid,
            "the database must be a SQLite file path, not a \(scheme.isEmpty ? "URL" : "'\(scheme):' URL"): \(hint)"
                + "give a path such as ./gatehouse.sqlite (--db or GATEHOUSE_DB)")
    }
}
