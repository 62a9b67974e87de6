import Foundation
import Store

extension UpstreamRules {
    /// Checks that the program can be run: a path (relative ones are resolved against `cwd`, else the current
    /// directory, and stored absolute) must be an executable file; a bare name must be found on PATH (and is stored as
    /// given, so the serving process looks it up on its own PATH).
    public static func resolveProgram(_ program: String, cwd: String?, field: String) throws(GatewayError) -> String {
        guard !program.isEmpty, !program.contains("\0") else { throw GatewayError(.invalidArgument, "\(field) is empty") }
        let fm = FileManager.default
        if program.contains("/") {
            let base = (cwd ?? fm.currentDirectoryPath) + "/"
            let path =
                program.hasPrefix("/") ? program : URL(fileURLWithPath: program, relativeTo: URL(fileURLWithPath: base)).standardizedFileURL.path
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                throw GatewayError(.notFound, "\(field): \(path) does not exist or is a directory")
            }
            guard fm.isExecutableFile(atPath: path) else {
                throw GatewayError(
                    .invalidArgument,
                    "\(field): \(path) is not executable (chmod +x it, or run it with its interpreter: --command python3 --arg \(program))")
            }
            return path
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in searchPath.split(separator: ":") where !dir.isEmpty {
            var isDirectory: ObjCBool = false
            let candidate = "\(dir)/\(program)"
            if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue, fm.isExecutableFile(atPath: candidate) {
                return program
            }
        }
        if program.contains(where: \.isWhitespace) {
            let first = program.split(whereSeparator: \.isWhitespace).first.map(String.init) ?? program
            throw GatewayError(
                .notFound,
                "\(field) '\(program.prefix(80))' is not a program on PATH; --command takes the program alone and each argument goes in its own --arg (nothing runs through a shell): --command \(first) --arg …"
            )
        }
        throw GatewayError(.notFound, "\(field): '\(program.prefix(80))' is not found on PATH (\(searchPath)); give its path, or install it")
    }

    /// Whether an environment variable looks like it carries a secret in clear: its name says TOKEN, KEY, SECRET or
    /// PASSWORD and its value refers to no credential connection. Environment values are stored unsealed; such a value
    /// belongs in a credential, passed as `{{credential:NAME}}`.
    public static func looksLikeClearSecret(name: String, value: String) -> Bool {
        let upper = name.uppercased()
        return ["TOKEN", "KEY", "SECRET", "PASSWORD"].contains(where: upper.contains) && UpstreamRecord.credentialReferences(in: value).isEmpty
    }

    /// Splits a command line typed in one field into an argument vector the way a POSIX shell splits words, without
    /// running anything through a shell: whitespace separates words, `'…'` keeps everything literally, `"…"` keeps
    /// everything but a backslash, which (inside double quotes or outside quotes) takes the next character literally.
    public static func splitCommandLine(_ line: String) throws(GatewayError) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in line {
            if escaped {
                word.append(c)
                escaped = false
                continue
            }
            switch (quote, c) {
            case ("'", "'"), ("\"", "\""): quote = nil
            case ("'", _): word.append(c)
            case ("\"", "\\"): escaped = true
            case ("\"", _): word.append(c)
            case (nil, "'"), (nil, "\""):
                quote = c
                inWord = true
            case (nil, "\\"):
                escaped = true
                inWord = true
            case (nil, _) where c.isWhitespace:
                if inWord { words.append(word) }
                word = ""
                inWord = false
            default:
                word.append(c)
                inWord = true
            }
        }
        if let quote { throw GatewayError(.invalidArgument, "the command line has an unclosed \(quote)") }
        if escaped { throw GatewayError(.invalidArgument, "the command line ends with a lone backslash") }
        if inWord { words.append(word) }
        if words.isEmpty { throw GatewayError(.invalidArgument, "the command line is empty") }
        return words
    }
}
