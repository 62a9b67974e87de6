import Foundation

/// What policies and credentials add to a built backend request.
extension BackendRequest {
    /// Adds query parameters (percent-encoded) to the URL.
    mutating func appendQuery(_ items: [(name: String, value: String)]) {
        let encoded = items.map { PercentEncoder.encodeQuery($0.name) + "=" + PercentEncoder.encodeQuery($0.value) }
        url += (url.contains("?") ? "&" : "?") + encoded.joined(separator: "&")
    }

    /// Applies `set-header` policies in order.
    mutating func apply(_ rules: [(name: String, value: String, action: SetHeaderPolicy.ExistsAction)]) {
        for rule in rules {
            let exists = headers.contains { $0.name.caseInsensitiveCompare(rule.name) == .orderedSame }
            switch rule.action {
            case .override:
                headers.removeAll { $0.name.caseInsensitiveCompare(rule.name) == .orderedSame }
                headers.append((rule.name, rule.value))
            case .skip:
                if !exists { headers.append((rule.name, rule.value)) }
            case .append:
                headers.append((rule.name, rule.value))
            case .delete:
                headers.removeAll { $0.name.caseInsensitiveCompare(rule.name) == .orderedSame }
            }
        }
    }
}
