import Foundation

/// The files a multi-file OpenAPI document may reference: a local directory (the root file's own directory, or a
/// directory given with `--from ./spec/`) or the entries of a `.zip` / `.tar.gz` archive, read into memory.
///
/// Only paths *inside* the set can be read: a relative reference is resolved against the referencing file's
/// directory and normalised, and one that would leave the set (`../../etc/passwd`), is absolute, or names a URL is
/// refused; in a directory, a symbolic link whose target lies outside it is refused too, and in an archive
/// symbolic and hard links are never followed. Nothing is ever fetched from the network.
struct DocumentSet: Sendable {
    /// How the set is stored.
    enum Storage: Sendable {
        /// A directory, by its real path (symbolic links resolved).
        case directory(String)
        /// An archive's regular files by normalised path; the links it holds, to say why they are not read.
        case archive(files: [String: Data], links: Set<String>)
    }

    /// The largest file read (20 MiB, as for a single document).
    static let maxFileBytes = SourceLoader.maxBytes
    /// The most files one import reads.
    static let maxFiles = 10_000
    /// The most bytes one import reads from all its files together (256 MiB).
    static let maxTotalBytes = 256 * 1024 * 1024

    let storage: Storage
    /// How the set is named in locations: the directory path, or `archive.zip:`.
    let displayName: String
    /// The root document's path inside the set.
    let root: String

    /// `displayName/path` (directories) or `archive.zip:path` (archives): how a file appears in locations.
    func display(_ path: String) -> String {
        switch storage {
        case .directory: displayName.hasSuffix("/") ? displayName + path : displayName + "/" + path
        case .archive: displayName + ":" + path
        }
    }

    /// The bytes of the file at a normalised `path` inside the set.
    func read(_ path: String) throws(GatewayError) -> Data {
        switch storage {
        case .archive(let files, let links):
            if links.contains(path) {
                throw GatewayError(.unsupportedSpec, "'\(path)' is a link in the archive, and links are never followed")
            }
            guard let data = files[path] else { throw GatewayError(.invalidSpec, "no file '\(path)' in the archive") }
            return data
        case .directory(let directory):
            let full = directory + "/" + path
            let real = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
            guard real.hasPrefix(directory + "/") else {
                throw GatewayError(
                    .unsupportedSpec, "'\(path)' is a symbolic link to a file outside \(displayName); it is not read")
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw GatewayError(.invalidSpec, "no file '\(path)' in \(displayName)")
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: real)[.size] as? Int) ?? 0
            guard size <= Self.maxFileBytes else {
                throw GatewayError(.invalidSpec, "'\(path)' is \(size) bytes; the limit is \(Self.maxFileBytes) bytes")
            }
            guard let data = FileManager.default.contents(atPath: real) else {
                throw GatewayError(.invalidSpec, "cannot read '\(path)' in \(displayName)")
            }
            return data
        }
    }

    /// Resolves a reference's file part (`../shared/pet.yaml`, percent-encoded as a URI reference) against the
    /// directory of `file`. Returns the normalised path inside the set, or a reason it is refused.
    static func resolve(_ reference: String, from file: String) -> Result<String, GatewayError> {
        let decoded = reference.removingPercentEncoding ?? reference
        let refuse = { (why: String) in
            Result<String, GatewayError>.failure(GatewayError(.unsupportedSpec, "$ref '\(reference.prefix(200))' \(why)"))
        }
        if decoded.hasPrefix("/") || decoded.hasPrefix("\\") || decoded.hasPrefix("~") {
            return refuse("is an absolute path; only paths relative to the referencing file are read")
        }
        if decoded.contains("\\") || decoded.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            return refuse("holds a backslash or a control character; it is not read")
        }
        if decoded.split(separator: "/").first?.contains(":") == true {
            return refuse("names a URL or a drive; only paths relative to the referencing file are read, and URLs are never fetched")
        }
        var parts = file.split(separator: "/").map(String.init).dropLast()
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            switch segment {
            case ".": continue
            case "..":
                guard !parts.isEmpty else {
                    return refuse("leaves the directory of the document; only files inside it are read")
                }
                parts.removeLast()
            default: parts.append(String(segment))
            }
        }
        guard !parts.isEmpty else { return refuse("names a directory, not a file") }
        return .success(parts.joined(separator: "/"))
    }

    // MARK: opening

    /// Archive file name endings.
    static func isArchive(_ path: String) -> Bool {
        let lower = path.lowercased()
        return lower.hasSuffix(".zip") || lower.hasSuffix(".tar.gz") || lower.hasSuffix(".tgz")
    }

    /// The set for a local path: a directory (its root document found inside it), an archive, or a single file
    /// (the set is the file's own directory, read only when the file references other files).
    static func open(_ path: String) throws(GatewayError) -> DocumentSet {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw GatewayError(.invalidSpec, "no such file or directory", location: path)
        }
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        if isDirectory.boolValue {
            let root = try findRoot(in: directoryListing(real, display: path), display: path) { relative throws(GatewayError) in
                try DocumentSet(storage: .directory(real), displayName: path, root: relative).read(relative)
            }
            return DocumentSet(storage: .directory(real), displayName: path, root: root)
        }
        if isArchive(path) { return try openArchive(path) }
        let directory = (real as NSString).deletingLastPathComponent
        let name = (real as NSString).lastPathComponent
        return DocumentSet(
            storage: .directory(directory == "/" ? "" : directory),
            displayName: (path as NSString).deletingLastPathComponent.isEmpty
                ? "." : (path as NSString).deletingLastPathComponent, root: name)
    }

    /// The regular files of a directory tree (relative paths; at most ``maxFiles``), for finding the root.
    static func directoryListing(_ directory: String, display: String) throws(GatewayError) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw GatewayError(.invalidSpec, "cannot list the directory", location: display)
        }
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The root document among the top-level files of a set: `openapi.*` or `swagger.*`, else the one JSON/YAML file
    /// whose top level says `openapi:` or `swagger:`. Several candidates are refused, naming them.
    static func findRoot(in names: [String], display: String, read: (String) throws(GatewayError) -> Data)
        throws(GatewayError) -> String
    {
        let documents = names.filter { name in
            let lower = name.lowercased()
            return !name.contains("/") && [".yaml", ".yml", ".json"].contains { lower.hasSuffix($0) }
        }
        for preferred in ["openapi", "swagger"] {
            let named = documents.filter { ($0 as NSString).deletingPathExtension.lowercased() == preferred }
            if named.count == 1 { return named[0] }
        }
        var candidates: [String] = []
        for name in documents {
            guard let data = try? read(name) else { continue }
            let head = String(decoding: data.prefix(8192), as: UTF8.self)
            let declares = head.split(whereSeparator: \.isNewline).contains { line in
                ["openapi:", "swagger:", "\"openapi\"", "\"swagger\"", "{\"openapi\"", "{\"swagger\""].contains {
                    line.trimmingCharacters(in: .whitespaces).hasPrefix($0)
                }
            }
            if declares { candidates.append(name) }
        }
        if candidates.count == 1 { return candidates[0] }
        if candidates.isEmpty {
            throw GatewayError(
                .invalidSpec,
                "no OpenAPI or Swagger document at the top level (openapi.yaml, or a file that starts "
                    + "with 'openapi:' or 'swagger:')", location: display)
        }
        throw GatewayError(
            .invalidSpec,
            "several documents could be the root (\(candidates.prefix(10).joined(separator: ", "))): "
                + "import the one you mean by its path, with the directory around it", location: display)
    }
}
