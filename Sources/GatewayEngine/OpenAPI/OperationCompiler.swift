import Foundation

/// Compiles the operations of an OpenAPI 3.x tree (or of a converted Swagger 2.0 one) into `OperationDefinition`s.
final class OperationCompiler {
    /// The HTTP methods of a path item.
    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
    /// The longest tool description.
    static let maxDescription = 1_000

    let context: SpecContext
    let resolver: ReferenceResolver
    let inliner: SchemaInliner
    /// Operations left out by an earlier stage (`METHOD path`, or `path /x` for a whole path item).
    var skipped: Set<String> = []
    /// The errors that made operations be skipped, in order.
    private(set) var errors: [GatewayError] = []
    /// Tool naming options.
    var naming = ToolNaming.Options()
    private var usedToolNames: Set<String> = []

    init(context: SpecContext) {
        self.context = context
        self.resolver = ReferenceResolver(context: context)
        self.inliner = SchemaInliner(context: context)
    }

    /// Every operation under `paths`, in document order.
    func compileAll() throws(GatewayError) -> [OperationDefinition] {
        guard let pathsValue = context.root["paths"] else { return [] }
        guard case .object(let paths) = pathsValue else {
            throw context.invalid("paths must be an object", at: "/paths")
        }
        // Each operation has up to two top-level schemas (input and output) sharing the document-wide budget.
        let count = paths.reduce(0) { $0 + ($1.value.objectValue?.keys.filter(Self.methods.contains).count ?? 1) }
        inliner.maxNodes = min(SchemaInliner.maxNodes, max(200, SchemaInliner.maxDocumentNodes / max(1, 2 * count)))
        var operations: [OperationDefinition] = []
        for (path, itemValue) in paths where !path.hasPrefix("x-") && !skipped.contains("path \(path)") {
            let item: JSONObject
            let itemPointer: String
            do throws(GatewayError) {
                (item, itemPointer) = try resolver.dereferenceObject(
                    itemValue, at: JSONPointer.appending("/paths", path), what: "path item")
            } catch {
                errors.append(error)
                context.diagnostics.defect("\(error.message); the operations of path \(path) are skipped", at: error.location)
                continue
            }
            for (method, value) in item where Self.methods.contains(method) {
                let key = "\(method.uppercased()) \(path)"
                if skipped.contains(key) { continue }
                let operationPointer = JSONPointer.appending(itemPointer, method)
                do throws(GatewayError) {
                    guard case .object(let operation) = value else {
                        throw context.invalid("operation must be an object", at: operationPointer)
                    }
                    operations.append(
                        try compile(
                            path: path, method: method, pathItem: item, pathItemPointer: itemPointer,
                            operation: operation, operationPointer: operationPointer))
                } catch {
                    errors.append(error)
                    context.diagnostics.defect("\(error.message); operation \(key) is skipped", at: error.location)
                }
            }
        }
        if inliner.documentBudgetExhausted {
            context.diagnostics.note(
                "the document's schemas are very large; some deeply nested schemas were simplified (size limit)",
                at: nil)
        }
        return operations
    }

    /// One operation.
    func compile(
        path: String, method: String, pathItem: JSONObject, pathItemPointer: String, operation: JSONObject,
        operationPointer: String
    ) throws(GatewayError) -> OperationDefinition {
        let httpMethod = method.uppercased()
        let key = "\(httpMethod) \(path)"
        let parameters = try parameters(
            path: path, pathItem: pathItem, pathItemPointer: pathItemPointer, operation: operation,
            operationPointer: operationPointer)
        let arguments = Set(parameters.map(\.binding.argument))
        let body = try requestBody(operation: operation, operationPointer: operationPointer, arguments: arguments)

        var properties = JSONObject()
        var required: [JSONValue] = []
        for parameter in parameters {
            properties[parameter.binding.argument] = parameter.schema
            if parameter.binding.required { required.append(.string(parameter.binding.argument)) }
        }
        if let body {
            for (name, schema) in body.properties { properties[name] = schema }
            required.append(contentsOf: body.required.map(JSONValue.string))
        }
        var inputSchema: JSONObject = ["type": .string("object"), "properties": .object(properties)]
        if !required.isEmpty { inputSchema["required"] = .array(required) }

        let operationId = operation["operationId"]?.stringValue
        let summary = Self.text(operation["summary"])
        let fullName = ToolNaming.baseName(operationId: operationId, method: method, path: path)
        let toolName = ToolNaming.unique(
            ToolNaming.shorten(fullName, to: naming.maxLength), used: &usedToolNames, limit: naming.maxLength)
        var output = try outputSchema(operation: operation, operationPointer: operationPointer, key: key)
        var cappedInput = SchemaBudget.cap(.object(inputSchema))
        let safe = PatternSafety.strippingUnsafe(cappedInput.schema)
        cappedInput.schema = safe.schema
        for (pattern, reason) in safe.dropped.prefix(5) {
            context.note(
                "the pattern \(String(pattern.prefix(80))) in the input schema of \(key) is not checked by the gateway: it \(reason)",
                at: operationPointer)
        }
        if let schema = output {
            let capped = SchemaBudget.cap(schema)
            output = capped.schema
            if capped.simplified {
                context.note(
                    "the output schema of \(key) is simplified (deeper than \(SchemaBudget.maxDepth) levels or over "
                        + "\(SchemaBudget.maxBytes / 1024) KiB)", at: operationPointer)
            }
        }
        if cappedInput.simplified {
            context.note(
                "the input schema of \(key) is simplified (deeper than \(SchemaBudget.maxDepth) levels or over "
                    + "\(SchemaBudget.maxBytes / 1024) KiB)", at: operationPointer)
        }

        return OperationDefinition(
            key: key, operationId: operationId, method: httpMethod, path: path, summary: summary,
            toolName: toolName,
            description: Self.description(summary: summary, details: Self.text(operation["description"]), key: key),
            parameters: parameters.map(\.binding), body: body?.binding, inputSchema: cappedInput.schema,
            outputSchema: output,
            annotations: Self.annotations(method: httpMethod, title: summary ?? (toolName != fullName ? operationId ?? fullName : nil)),
            deprecated: operation["deprecated"]?.boolValue == true)
    }

    /// A trimmed, non-empty string value.
    static func text(_ value: JSONValue?) -> String? {
        guard let string = value?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines), !string.isEmpty
        else { return nil }
        return string
    }

    /// Summary and description joined by a blank line, capped at 1,000 characters ("…" marks a cut); `METHOD path`
    /// when both are missing.
    static func description(summary: String?, details: String?, key: String) -> String {
        let parts = [summary, details].compactMap { $0 }.map(DescriptionText.markdown).filter { !$0.isEmpty }
        let joined = parts.isEmpty ? key : parts.joined(separator: "\n\n")
        guard joined.count > maxDescription else { return joined }
        return String(joined.prefix(maxDescription - 1)) + "…"
    }

    /// GET/HEAD read-only; DELETE destructive; PUT/DELETE idempotent; title = summary.
    static func annotations(method: String, title: String?) -> ToolAnnotations {
        ToolAnnotations(
            title: title,
            readOnlyHint: method == "GET" || method == "HEAD" ? true : nil,
            destructiveHint: method == "DELETE" ? true : nil,
            idempotentHint: method == "PUT" || method == "DELETE" ? true : nil)
    }
}
