import Foundation
import GatewayFoundation
import Yams

/// A theme file's styles for the console's roles, applied in colour mode (the monochrome theme is always the built-in
/// one, so `--no-color` and `NO_COLOR` keep working with any file). The file is YAML, one key per role, each a
/// mapping or a shorthand of words:
///
/// ```yaml
/// warn: { color: yellow, bold: true }
/// crit: red bold underline
/// tabActive: { color: blue, bold: true, reverse: true }
/// label: plain
/// ```
///
/// Colours: red, green, yellow, blue, magenta, cyan, gray, or `default`; attributes: bold, underline, reverse, dim.
/// An unknown role, colour or attribute is an error naming it, never ignored.
public struct ThemeOverrides: Sendable, Equatable {
    /// A role a theme file can style.
    public enum Role: String, Sendable, CaseIterable {
        case titleBar, tabActive, tabInactive, breadcrumb, tableHeader, sectionTitle, label, dim, key, accent, ok, warn, crit, off
        case sparkline, dialog, dialogBorder, field, focusedField, flashInfo, flashSuccess, flashError
    }

    public var styles: [Role: Style]

    /// No overrides: the built-in theme.
    public init(styles: [Role: Style] = [:]) { self.styles = styles }

    /// Why a theme file cannot be used.
    public struct Failure: GatehouseError, Equatable {
        public let errorCode = "invalid_theme"
        public var message: String
        public var location: String?
        public var description: String { location.map { "\($0): \(message)" } ?? message }
    }

    /// Reads a theme file.
    public static func load(path: String) throws(Failure) -> ThemeOverrides {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw Failure(message: "cannot read the theme file: \(error.localizedDescription)", location: path)
        }
        do { return try parse(text) } catch { throw Failure(message: error.message, location: error.location.map { "\(path): \($0)" } ?? path) }
    }

    /// Parses a theme file's text.
    public static func parse(_ text: String) throws(Failure) -> ThemeOverrides {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch { throw Failure(message: "not valid YAML: \(error)") }
        guard let node else { return ThemeOverrides() }
        guard let mapping = node.mapping else { throw Failure(message: "a theme file is a mapping of role: style") }
        var styles: [Role: Style] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw Failure(message: "a role name must be text") }
            let line = "line \(key.mark?.line ?? 0)"
            guard let role = Role(rawValue: name) else {
                throw Failure(
                    message: "unknown role '\(name.prefix(40))' (roles: \(Role.allCases.map(\.rawValue).joined(separator: ", ")))", location: line)
            }
            do { styles[role] = try style(value) } catch { throw Failure(message: "\(name): \(error.message)", location: line) }
        }
        return ThemeOverrides(styles: styles)
    }

    private static let attributes = ["bold", "underline", "reverse", "dim"]

    private static func style(_ node: Node) throws(Failure) -> Style {
        var style = Style()
        if let words = node.string {
            for word in words.split(whereSeparator: \.isWhitespace).map(String.init) {
                if word == "plain" { continue }
                if attributes.contains(word) {
                    try set(&style, word, true)
                } else {
                    style.color = try color(word)
                }
            }
            return style
        }
        guard let mapping = node.mapping else { throw Failure(message: "a style is a mapping ({ color: cyan, bold: true }) or words (cyan bold)") }
        for (key, value) in mapping {
            guard let name = key.string else { throw Failure(message: "a style's keys are text") }
            if name == "color" {
                guard let c = value.string else { throw Failure(message: "color is a name") }
                style.color = try color(c)
            } else if attributes.contains(name) {
                guard let on = value.bool else { throw Failure(message: "\(name) is true or false") }
                try set(&style, name, on)
            } else {
                throw Failure(message: "unknown key '\(name.prefix(40))' (color, \(attributes.joined(separator: ", ")))")
            }
        }
        return style
    }

    private static func color(_ name: String) throws(Failure) -> ColorName? {
        if name == "default" { return nil }
        guard let c = ColorName(rawValue: name) else {
            throw Failure(
                message:
                    "unknown colour or attribute '\(name.prefix(40))' (colours: \(ColorName.allCases.map(\.rawValue).joined(separator: ", ")), default; attributes: \(attributes.joined(separator: ", ")))"
            )
        }
        return c
    }

    private static func set(_ style: inout Style, _ attribute: String, _ on: Bool) throws(Failure) {
        switch attribute {
        case "bold": style.bold = on
        case "underline": style.underline = on
        case "reverse": style.reverse = on
        case "dim": style.dim = on
        default: throw Failure(message: "unknown attribute '\(attribute)'")
        }
    }

    /// Where the console looks for a theme when none is given: `$GATEHOUSE_THEME`, else
    /// `$XDG_CONFIG_HOME/gatehouse/theme.yaml` (`~/.config/gatehouse/theme.yaml`) when that file exists.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let path = environment["GATEHOUSE_THEME"], !path.isEmpty { return path }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? environment["HOME"].map { $0 + "/.config" }
        guard let base else { return nil }
        let path = base + "/gatehouse/theme.yaml"
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }
}
