import Foundation

/// `application/x-www-form-urlencoded` bodies as OpenAPI describes them: each property serialised like a query
/// parameter with the `style`/`explode` of its Encoding object (`form`, exploded, by default), so that Stripe-style
/// APIs get `metadata[k]=v` and `items[0][price]=…` (`deepObject`) rather than JSON text.
///
/// Names and values are encoded once (unreserved characters stay, space is `+`, brackets are `%5B`/`%5D`);
/// delimiters (`,` between list items, `=` and `&`) are written as they are.
enum FormEncoder {
    /// The deepest nesting expanded by `deepObject` before a value is sent as JSON text.
    static let maxDepth = 8

    static func encode(_ object: JSONObject, encoding: [String: PropertyEncoding]?) -> String {
        var items: [String] = []
        for (key, value) in object {
            if value.isNull { continue }
            let entry = encoding?[key]
            let style = entry?.style ?? "form"
            let explode = entry?.explode ?? (style == "form")
            items += property(PercentEncoder.encodeForm(key), value, style: style, explode: explode)
        }
        return items.joined(separator: "&")
    }

    static func property(_ name: String, _ value: JSONValue, style: String, explode: Bool) -> [String] {
        let enc = PercentEncoder.encodeForm
        switch style {
        case "deepObject":
            return deep(name, value, depth: 0)
        case "spaceDelimited", "pipeDelimited", "tabDelimited":
            let separator = ["spaceDelimited": "%20", "pipeDelimited": "%7C", "tabDelimited": "%09"][style]!
            switch value {
            case .array(let list) where !explode: return ["\(name)=" + list.map { enc(ScalarText.text($0)) }.joined(separator: separator)]
            case .object(let o) where !explode: return ["\(name)=" + ScalarText.pairs(o, enc, explode: false, separator: separator)]
            default: break
            }
        default:
            break
        }
        switch value {
        case .array(let list):
            if explode { return list.filter { !$0.isNull }.map { "\(name)=" + enc(ScalarText.text($0)) } }
            return ["\(name)=" + list.map { enc(ScalarText.text($0)) }.joined(separator: ",")]
        case .object(let o):
            if explode {
                return o.filter { !$0.value.isNull }.map { enc($0.key) + "=" + enc(ScalarText.text($0.value)) }
            }
            return ["\(name)=" + ScalarText.pairs(o, enc, explode: false, separator: ",")]
        default:
            return ["\(name)=" + enc(ScalarText.text(value))]
        }
    }

    /// `name[k]=v`, `name[k][k2]=v`, `name[0][k]=v`; nulls are left out.
    static func deep(_ name: String, _ value: JSONValue, depth: Int) -> [String] {
        switch value {
        case .null:
            return []
        case .object(let o) where depth < maxDepth:
            return o.flatMap { deep(name + "%5B" + PercentEncoder.encodeForm($0.key) + "%5D", $0.value, depth: depth + 1) }
        case .array(let list) where depth < maxDepth:
            return list.enumerated().flatMap { deep(name + "%5B\($0.offset)%5D", $0.element, depth: depth + 1) }
        default:
            return ["\(name)=" + PercentEncoder.encodeForm(ScalarText.text(value))]
        }
    }
}
