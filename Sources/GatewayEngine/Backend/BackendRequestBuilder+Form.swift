import Foundation

/// The fields of `application/x-www-form-urlencoded` and `multipart/form-data` bodies as OpenAPI 3.1.1 (§4.8.15,
/// Encoding Object) describes them:
/// - a property whose Encoding object sets `style`, `explode` or `allowReserved` is serialised like a query
///   parameter of that style (`form` exploded by default; `deepObject` gives Stripe's `metadata[k]=v` and
///   `items[0][price]=…`); Swagger 2.0 `collectionFormat` arrives here as such a style;
/// - any other property follows its `contentType` (explicit, or by type: `application/json` for objects,
///   `text/plain` for primitives): objects — and anything declared `application/json` — are sent as compact JSON
///   text, an array repeats the field once per item.
///
/// A field is kept raw (name, values, delimiter) so that each body type encodes it once: form bodies percent-encode
/// names and values (unreserved characters stay, space is `+`) and write delimiters as the specification's style
/// table does; multipart bodies send the raw text in one part per field.
struct FormField: Equatable {
    var name: String
    /// The values joined by ``delimiter`` make the field's value.
    var values: [String]
    /// `,`, ` `, `|`, `\t`, or `.`-free joiner for one-value fields.
    var delimiter: String = ","
    /// Reserved characters stay unencoded in a form body (`allowReserved`).
    var allowReserved = false
    /// The part's `Content-Type` in a multipart body.
    var contentType: String?

    /// `name=value` for a form body.
    var urlEncoded: String {
        let enc = allowReserved ? FormEncoder.encodeAllowingReserved : PercentEncoder.encodeForm
        let joiner = [" ": "%20", "|": "%7C", "\t": "%09"][delimiter] ?? delimiter
        return PercentEncoder.encodeForm(name) + "=" + values.map(enc).joined(separator: joiner)
    }

    /// The value of a multipart part.
    var text: String { values.joined(separator: delimiter) }
}

enum FormEncoder {
    /// The deepest nesting expanded by `deepObject` before a value is sent as JSON text.
    static let maxDepth = 8

    /// The `k=v&…` body.
    static func encode(_ object: JSONObject, encoding: [String: PropertyEncoding]?) -> String {
        fields(object, encoding: encoding).map(\.urlEncoded).joined(separator: "&")
    }

    /// A form value with `allowReserved`: RFC 3986's reserved characters and percent-encoded triples stay, except
    /// those that would end the value or change it when decoded (`&`, `#`, `+`, which form decoding reads as a space)
    /// and `[`, `]`; space is `+`.
    static func encodeAllowingReserved(_ s: String) -> String {
        PercentEncoder.encodeKeepingTriples(s) { b in PercentEncoder.isUnreserved(b) || ":/?@!$'()*,;=".utf8.contains(b) }
            .replacingOccurrences(of: "%20", with: "+")
    }

    /// Every field the object's properties contribute, in order; nulls are left out.
    static func fields(_ object: JSONObject, encoding: [String: PropertyEncoding]?) -> [FormField] {
        var out: [FormField] = []
        for (key, value) in object where !value.isNull {
            let entry = encoding?[key]
            if let entry, entry.style != nil || entry.explode != nil || entry.allowReserved != nil {
                let style = entry.style ?? "form"
                var styled = fields(key, value, style: style, explode: entry.explode ?? (style == "form"))
                for index in styled.indices {
                    styled[index].allowReserved = entry.allowReserved == true
                    styled[index].contentType = entry.contentType
                }
                out += styled
            } else {
                out += typed(key, value, contentType: entry?.contentType)
            }
        }
        return out
    }

    /// A property without a style: by its content type (objects as JSON, arrays as repeated fields).
    static func typed(_ name: String, _ value: JSONValue, contentType: String?) -> [FormField] {
        let json = contentType.map { BodyEncoder.isJSON(BodyEncoder.mediaType($0)) } ?? false
        switch value {
        case .array(let items) where !json:
            return items.filter { !$0.isNull }.map { item in
                let isObject = item.objectValue != nil || item.arrayValue != nil
                return FormField(
                    name: name, values: [ScalarText.text(item)],
                    contentType: contentType ?? (isObject ? "application/json" : nil))
            }
        case .object, .array:
            return [FormField(name: name, values: [value.jsonString], contentType: contentType ?? "application/json")]
        default:
            return [FormField(name: name, values: [json ? value.jsonString : ScalarText.text(value)], contentType: contentType)]
        }
    }

    /// A property with a style, as the specification's style table serialises a query parameter.
    static func fields(_ name: String, _ value: JSONValue, style: String, explode: Bool) -> [FormField] {
        let delimiters = ["spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"]
        switch (style, value) {
        case ("deepObject", .object), ("deepObject", .array):
            return deep(name, value, depth: 0)
        case (_, .array(let list)) where delimiters[style] != nil && !explode:
            return [FormField(name: name, values: list.map(ScalarText.text), delimiter: delimiters[style]!)]
        case (_, .object(let o)) where delimiters[style] != nil && !explode:
            return [FormField(name: name, values: o.flatMap { [$0.key, ScalarText.text($0.value)] }, delimiter: delimiters[style]!)]
        case (_, .array(let list)):
            let items = list.filter { !$0.isNull }
            if explode { return items.map { FormField(name: name, values: [ScalarText.text($0)]) } }
            return [FormField(name: name, values: items.map(ScalarText.text))]
        case (_, .object(let o)):
            let pairs = o.filter { !$0.value.isNull }
            if explode { return pairs.map { FormField(name: $0.key, values: [ScalarText.text($0.value)]) } }
            return [FormField(name: name, values: pairs.flatMap { [$0.key, ScalarText.text($0.value)] })]
        default:
            return [FormField(name: name, values: [ScalarText.text(value)])]
        }
    }

    /// `name[k]=v`, `name[k][k2]=v`, `name[0][k]=v` (brackets are percent-encoded in a form body); nulls are left out.
    static func deep(_ name: String, _ value: JSONValue, depth: Int) -> [FormField] {
        switch value {
        case .null:
            return []
        case .object(let o) where depth < maxDepth:
            return o.flatMap { deep(name + "[" + $0.key + "]", $0.value, depth: depth + 1) }
        case .array(let list) where depth < maxDepth:
            return list.enumerated().flatMap { deep(name + "[\($0.offset)]", $0.element, depth: depth + 1) }
        default:
            return [FormField(name: name, values: [ScalarText.text(value)])]
        }
    }
}
