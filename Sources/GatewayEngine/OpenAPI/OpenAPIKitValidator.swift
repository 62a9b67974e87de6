import Foundation
import OpenAPIKit
import OpenAPIKit30

/// Checks a document's structure by decoding it with OpenAPIKit (the 3.0 or 3.1 model), and turns a decoding
/// failure into a `GatewayError` with OpenAPIKit's readable message and a JSON-pointer location.
///
/// The importer then compiles operations from the raw tree (so schemas keep every keyword as written); OpenAPIKit
/// only decides whether the document is well-formed.
struct OpenAPIKitValidator {
    enum Model {
        case v30
        case v31
    }

    let context: SpecContext
    /// Added to messages when the tree is a conversion (Swagger 2.0 → OpenAPI 3.0).
    let convertedFrom: String?

    /// Decodes the tree; throws `.invalidSpec` when OpenAPIKit refuses it. Returns OpenAPIKit's warnings.
    func validate(as model: Model) throws(GatewayError) -> [String] {
        let data = Data(Self.lenient(context.root, model: model).serialized())
        // Vendor extensions are not needed, and decoding them re-decodes every object as `AnyCodable`.
        let decoder = JSONDecoder()
        decoder.userInfo[OpenAPIKit.VendorExtensionsConfiguration.enabledKey] = false
        do {
            switch model {
            case .v30:
                _ = try decoder.decode(OpenAPIKit30.OpenAPI.Document.self, from: data)
                return []
            case .v31:
                let document = try decoder.decode(OpenAPIKit.OpenAPI.Document.self, from: data)
                return document.warnings.map { $0.localizedDescription }
            }
        } catch {
            let readable = OpenAPIKit.OpenAPI.Error(from: error)
            let pointer = Self.pointer(readable.codingPath)
            var message = readable.localizedDescription
            if message.isEmpty { message = String(describing: error) }
            if let convertedFrom { message += " (in the OpenAPI 3.0 conversion of this \(convertedFrom) document)" }
            throw context.invalid(message, at: pointer)
        }
    }

    /// A JSON pointer for a decoding coding path.
    static func pointer(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce("") { pointer, key in
            if let index = key.intValue { JSONPointer.appending(pointer, index) }
            else { JSONPointer.appending(pointer, key.stringValue) }
        }
    }

    /// The tree with what the importer tolerates (and OpenAPIKit would refuse) corrected:
    /// - a path parameter without `required: true` (the importer always treats path parameters as required);
    /// - `security` requirements (the importer does not use them, and OpenAPIKit refuses unknown scheme names);
    /// - examples (not used by the importer; dropping them spares OpenAPIKit much work);
    /// - draft-04 boolean `exclusiveMinimum`/`exclusiveMaximum` (3.1 documents may declare a draft-04 `$schema`;
    ///   the importer converts them; 3.1 only).
    static func lenient(_ value: JSONValue, model: Model) -> JSONValue {
        switch value {
        case .object(var object):
            for (key, child) in object {
                if key == "example" || key == "examples" || (key == "security" && child.arrayValue != nil) {
                    object[key] = nil
                    continue
                }
                // `default` is literal data in a schema but a response in `responses`: objects are walked.
                let literal = key == "enum" || key == "const" || (key == "default" && child.objectValue == nil)
                if literal || key.hasPrefix("x-") { continue }
                guard child.objectValue != nil || child.arrayValue != nil else { continue }
                object[key] = lenient(child, model: model)
            }
            if object["in"] == .string("path"), object["name"]?.stringValue != nil,
                object["required"]?.boolValue != true
            {
                object["required"] = .bool(true)
            }
            let bounds = model == .v31 ? [("minimum", "exclusiveMinimum"), ("maximum", "exclusiveMaximum")] : []
            for (bound, exclusive) in bounds {
                guard case .bool(let flag) = object[exclusive] else { continue }
                object[exclusive] = nil
                if flag, let limit = object[bound] {
                    object[bound] = nil
                    object[exclusive] = limit
                }
            }
            return .object(object)
        case .array(let array):
            return .array(array.map { lenient($0, model: model) })
        default:
            return value
        }
    }
}
