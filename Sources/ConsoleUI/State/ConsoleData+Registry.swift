import Foundation
import GatewayEngine
import Store

/// What the console does with the registry: register, change, deprecate, remove, approve and probe entries. Executed
/// by ``ConsoleEffectExecutor`` through ``RegistryAdmin`` (the same rules as the CLI: schema, name collisions).
public enum RegistryEffect: Sendable, Equatable {
    /// Register an external server by URL.
    case add(RegistryAdmin.Spec, RegistryAdmin.Attributes)
    /// Change an external entry: its description, title or URL (nil leaves them) and its attributes.
    case updateExternal(name: String, version: String, description: String?, title: String?, url: String?, attributes: RegistryAdmin.Attributes)
    /// Change what a gateway server's entry says. For version, title and description: nil leaves it, `.some(nil)` goes
    /// back to the server's own (a version derived from the configuration revision).
    case updateGateway(
        server: String, version: String??, title: String??, description: String??, lifecycle: RegistryEntryRecord.Lifecycle, owner: String?,
        tags: [String], message: String?)
    case deprecate(name: String, version: String?, message: String?)
    /// Remove an external entry's version (it stays listed as deleted for clients that sync).
    case remove(name: String, version: String)
    /// Approve one entry's pending import (or every one, `name` nil).
    case approve(name: String?)
    /// Probe one entry now, or every one.
    case probe(name: String?)
}

/// The registry's rows: what the Registry screen lists (gateway servers first is not imposed: sorted by name).
extension ConsoleState {
    /// The entries after the page's `/` filter (name, title, description, kind, lifecycle, health, tags, owner, URL).
    func registryRows(_ p: Page) -> [RegistryListing.Row] {
        Self.filtered(data.registry.rows.filter { $0.status != .deleted || $0.awaitsApproval }, by: p.filter) { r in
            [r.name, r.title ?? "", r.description, r.kind.rawValue, r.lifecycle.rawValue, r.health.rawValue, r.approval, r.owner ?? "", r.url ?? "", r.version]
                + r.tags
        }
    }

    func registryRow(_ name: String, _ version: String) -> RegistryListing.Row? {
        data.registry.rows.first { $0.name == name && $0.version == version }
    }

    /// The entry under the cursor (list) or being viewed (its page).
    var targetRegistryRow: RegistryListing.Row? {
        switch page.route {
        case .registry: registryRows(page)[safe: page.selected]
        case .registryEntry(let name, let version): registryRow(name, version)
        default: nil
        }
    }
}
