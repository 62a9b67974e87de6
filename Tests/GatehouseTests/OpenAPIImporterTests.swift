import Foundation
import Testing

@testable import GatewayEngine

/// Focused cases for the OpenAPI importer, on documents built inline.
@Suite struct OpenAPIImporterTests {
    func load(_ text: String, name: String = "spec.yaml", sourceURL: URL? = nil) throws(GatewayError) -> ImportedAPI {
        try OpenAPIImporter().importDocument(Data(text.utf8), sourceName: name, sourceURL: sourceURL)
    }

    func refusal(_ text: String, name: String = "spec.yaml") -> GatewayError? {
        do {
            _ = try load(text, name: name)
            return nil
        } catch {
            return error
        }
    }

    /// An OpenAPI 3.0 YAML document with the given `paths` and `components` bodies (indented by the caller).
    func doc30(paths: String, components: String = "", version: String = "3.0.3") -> String {
        """
        openapi: \(version)
        info: {title: Test, version: "1"}
        paths:
        \(paths)
        \(components.isEmpty ? "" : "components:\n" + components)
        """
    }

    func operation(_ api: ImportedAPI, _ key: String) throws -> OperationDefinition {
        try #require(api.operations.first { $0.key == key })
    }

    // MARK: Tool names

    @Test func toolNamesAreSanitised() throws {
        #expect(ToolNaming.sanitize("list pets") == "list_pets")
        #expect(ToolNaming.sanitize("créer l'animal") == "cr_er_l_animal")
        #expect(ToolNaming.sanitize("🐶 pets!!") == "pets")
        #expect(ToolNaming.sanitize("a//b  c") == "a_b_c")
        #expect(ToolNaming.sanitize("v1.pets-list") == "v1.pets-list")
        #expect(ToolNaming.sanitize(String(repeating: "x", count: 300)).count == 128)
        #expect(ToolNaming.fallbackName(method: "get", path: "/pets/{petId}") == "get_pets_petId")
    }

    @Test func toolNamesAreUniqueAndBounded() throws {
        let long = String(repeating: "a", count: 140)
        let api = try load(
            doc30(
                paths: """
                      /a:
                        get: {operationId: "list pets", responses: {"200": {description: ok}}}
                        post: {operationId: "list_pets", responses: {"200": {description: ok}}}
                        put: {operationId: "list-pets?", responses: {"200": {description: ok}}}
                      /b:
                        get: {operationId: "\(long)", responses: {"200": {description: ok}}}
                        post: {operationId: "\(long)", responses: {"200": {description: ok}}}
                      /c/{id}:
                        get:
                          parameters: [{name: id, in: path, required: true, schema: {type: string}}]
                          responses: {"200": {description: ok}}
                    """))
        let names = api.operations.map(\.toolName)
        #expect(names[0] == "list_pets")
        #expect(names[1] == "list_pets_2")
        #expect(names[2] == "list-pets")
        // Longer than 64: head, hash of the whole name, tail; the full operationId stays in the title.
        #expect(names[3].count == 64 && names[3].hasPrefix(String(repeating: "a", count: 30)))
        #expect(names[3] == ToolNaming.shorten(long, to: 64))
        #expect(names[4].count == 64 && names[4].hasSuffix("_2"))
        #expect(api.operations[3].annotations.title == long)
        #expect(names[5] == "get_c_id")
        #expect(Set(names).count == names.count)
        let kept = try OpenAPIImporter().importDocument(
            Data(doc30(paths: "  /b:\n    get: {operationId: \"\(long)\", responses: {\"200\": {description: ok}}}\n").utf8),
            sourceName: "spec.yaml", sourceURL: nil, options: .init(keepLongNames: true))
        #expect(kept.operations[0].toolName.count == 128 && kept.operations[0].toolName == ToolNaming.shorten(long, to: 128))
    }

    @Test func validOperationIdsStayAsWritten() throws {
        let api = try load(
            doc30(
                paths: """
                      /base64/{value}:
                        get:
                          operationId: decode_base64_base64__value__get
                          parameters: [{name: value, in: path, required: true, schema: {type: string}}]
                          responses: {"200": {description: ok}}
                    """))
        #expect(api.operations[0].toolName == "decode_base64_base64__value__get")
        #expect(ToolNaming.shorten("x", to: 64) == "x")
        let a = ToolNaming.shorten("readAdmissionregistrationV1ValidatingAdmissionPolicyBindingStatusList", to: 64)
        let b = ToolNaming.shorten("readAdmissionregistrationV1ValidatingAdmissionPolicyBindingStatusWatch", to: 64)
        #expect(a.count == 64 && b.count == 64 && a != b)
        #expect(a.hasPrefix("readAdmissionregistrationV1") && a.hasSuffix("StatusList"))
        #expect(a == ToolNaming.shorten("readAdmissionregistrationV1ValidatingAdmissionPolicyBindingStatusList", to: 64))
    }

    // MARK: Schemas

    @Test func nullableBecomesTypeArray() throws {
        let api = try load(
            doc30(
                paths: """
                      /p:
                        get:
                          parameters:
                            - {name: q, in: query, schema: {type: string, nullable: true}}
                            - {name: e, in: query, schema: {type: string, enum: [a, b], nullable: true}}
                            - {name: r, in: query, schema: {nullable: true, allOf: [{$ref: '#/components/schemas/S'}]}}
                            - {name: x, in: query, schema: {type: integer, minimum: 1, exclusiveMinimum: true, example: 3}}
                          responses: {"200": {description: ok}}
                    """,
                components: """
                      schemas:
                        S: {type: object, discriminator: {propertyName: k}, xml: {name: s}, properties: {k: {type: string}}}
                    """))
        let properties = try #require(try operation(api, "GET /p").inputSchema["properties"])
        #expect(properties["q"]?["type"] == .array([.string("string"), .string("null")]))
        #expect(properties["e"]?["enum"] == .array([.string("a"), .string("b"), .null]))
        let anyOf = try #require(properties["r"]?["anyOf"]?.arrayValue)
        #expect(anyOf.count == 2 && anyOf[1] == .object(["type": .string("null")]))
        let inlined = try #require(anyOf[0]["allOf"]?.arrayValue?.first)
        #expect(inlined["discriminator"] == nil && inlined["xml"] == nil && inlined["type"] == .string("object"))
        #expect(properties["x"]?["exclusiveMinimum"] == .int(1) && properties["x"]?["minimum"] == nil)
        #expect(properties["x"]?["examples"] == .array([.int(3)]))
    }

    @Test func openAPI31SchemasAreKept() throws {
        let api = try load(
            doc30(
                paths: """
                      /p:
                        get:
                          parameters:
                            - {name: q, in: query, schema: {type: [string, "null"], const: x}}
                          responses: {"200": {description: ok}}
                    """, version: "3.1.0"))
        #expect(api.format == "openapi-3.1")
        let q = try operation(api, "GET /p").inputSchema["properties"]?["q"]
        #expect(q == .object(["type": .array([.string("string"), .string("null")]), "const": .string("x")]))
    }

    @Test func circularReferencesTerminate() throws {
        let api = try load(
            doc30(
                paths: """
                      /nodes:
                        post:
                          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Node'}}}}
                          responses:
                            "200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}
                    """,
                components: """
                      schemas:
                        Node:
                          type: object
                          properties:
                            name: {type: string}
                            children: {type: array, items: {$ref: '#/components/schemas/Node'}}
                        A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}
                        B: {type: object, properties: {a: {$ref: '#/components/schemas/A'}}}
                    """))
        let op = try operation(api, "POST /nodes")
        #expect(op.body?.mode == .flattened && op.body?.properties == ["name", "children"])
        let items = op.inputSchema["properties"]?["children"]?["items"]
        #expect(items?["description"]?.stringValue?.contains("Recursive reference to Node") == true)
        let output = try #require(op.outputSchema)
        #expect(output["properties"]?["b"]?["properties"]?["a"]?["description"]?.stringValue?.contains("A") == true)
    }

    @Test func referenceFanOutStaysBounded() throws {
        // S0 → (S1, S1) → (S2, S2) … : 2^30 nodes if expanded naively.
        var schemas = ""
        for i in 0..<30 {
            schemas +=
                "    S\(i): {type: object, properties: {a: {$ref: '#/components/schemas/S\(i + 1)'}, "
                + "b: {$ref: '#/components/schemas/S\(i + 1)'}}}\n"
        }
        schemas += "    S30: {type: string}\n"
        let start = ContinuousClock.now
        let api = try load(
            doc30(
                paths: """
                      /p:
                        post:
                          requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/S0'}}}}
                          responses: {"200": {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/S0'}}}}}
                    """, components: "  schemas:\n" + schemas))
        let op = try operation(api, "POST /p")
        #expect(op.inputSchema.serialized().count < 2_000_000)
        #expect(op.outputSchema?.jsonString.contains("not expanded") == true)
        #expect(ContinuousClock.now - start < .seconds(10))
    }

    @Test(arguments: ["http://169.254.169.254/x", "file:///etc/passwd", "../secrets.yaml"])
    func externalReferencesAreRefused(ref: String) throws {
        let error = try #require(
            refusal(
                doc30(
                    paths: """
                          /p:
                            get:
                              parameters: [{name: q, in: query, schema: {$ref: '\(ref)'}}]
                              responses: {"200": {description: ok}}
                        """)))
        #expect(error.code == .unsupportedSpec)
        #expect(error.message.contains(ref))
        #expect(error.location == "spec.yaml#/paths/~1p/get/parameters/0/schema/$ref")
    }

    @Test func externalReferenceInDefaultResponseIsRefusedWhenStrict() throws {
        // Lenient: the default response is not needed to build the tool, so the operation imports.
        let text = doc30(paths: "  /p:\n    get: {responses: {default: {$ref: 'errors.yaml#/Error'}}}\n")
        #expect(try load(text).operations.count == 1)
        do {
            _ = try OpenAPIImporter().importDocument(
                Data(text.utf8), sourceName: "spec.yaml", sourceURL: nil, options: .init(strict: true))
            Issue.record("strict import accepted an external reference")
        } catch {
            #expect(error.code == .unsupportedSpec && error.location == "spec.yaml#/paths/~1p/get/responses/default/$ref")
            #expect(error.message.contains("directory"))
        }
    }

    @Test func danglingReferenceIsRefused() throws {
        let error = try #require(
            refusal(
                doc30(
                    paths: """
                          /p:
                            get:
                              parameters: [{name: q, in: query, schema: {$ref: '#/components/schemas/Nope'}}]
                              responses: {"200": {description: ok}}
                        """)))
        #expect(error.code == .invalidSpec)
        #expect(error.location == "spec.yaml#/paths/~1p/get/parameters/0/schema/$ref")
    }

    // MARK: Bindings

    @Test func objectBodyIsFlattenedOtherwiseWhole() throws {
        let api = try load(
            doc30(
                paths: """
                      /pets/{id}:
                        post:
                          parameters: [{name: id, in: path, schema: {type: integer}, description: The pet}]
                          requestBody:
                            required: true
                            content:
                              application/xml: {schema: {type: string}}
                              application/json:
                                schema: {type: object, required: [name], properties: {name: {type: string}, tag: {type: string}}}
                          responses: {"201": {description: ok}}
                        put:
                          parameters: [{name: id, in: path, schema: {type: integer}}]
                          requestBody:
                            content: {application/json: {schema: {type: object, properties: {id: {type: integer}}}}}
                          responses: {"200": {description: ok}}
                        patch:
                          requestBody:
                            required: true
                            description: Patch list
                            content: {application/json-patch+json: {schema: {type: array, items: {type: object}}}}
                          responses: {"200": {description: ok}}
                    """))
        let post = try operation(api, "POST /pets/{id}")
        #expect(
            post.body
                == BodyBinding(
                    contentType: "application/json", required: true, mode: .flattened,
                    properties: ["name", "tag"]))
        #expect(post.inputSchema["required"] == .array([.string("id"), .string("name")]))
        #expect(post.inputSchema["properties"]?["id"]?["description"] == .string("The pet"))
        let put = try operation(api, "PUT /pets/{id}")
        #expect(put.body?.mode == .whole && put.body?.argument == "body" && put.body?.required == false)
        #expect(put.inputSchema["properties"]?["body"]?["properties"]?["id"] != nil)
        #expect(put.inputSchema["required"] == .array([.string("id")]))
        let patch = try operation(api, "PATCH /pets/{id}")
        #expect(patch.body?.contentType == "application/json-patch+json" && patch.body?.mode == .whole)
        #expect(patch.inputSchema["properties"]?["body"]?["description"] == .string("Patch list"))
        #expect(patch.parameters.map(\.name) == ["id"], "undeclared path parameter is synthesised")
    }

    @Test func parametersSharingANameGetLocationPrefixes() throws {
        let api = try load(
            doc30(
                paths: """
                      /items/{id}:
                        parameters:
                          - {name: id, in: path, required: true, schema: {type: string}}
                          - {name: limit, in: query, schema: {type: integer}, description: path-level}
                        get:
                          parameters:
                            - {name: id, in: query, schema: {type: string}}
                            - {name: limit, in: query, required: true, schema: {type: integer, maximum: 10}}
                            - {name: tags, in: query, style: pipeDelimited, schema: {type: array, items: {type: string}}}
                            - {name: X-Trace, in: header, schema: {type: string}}
                            - {name: Authorization, in: header, schema: {type: string}}
                            - {name: session, in: cookie, schema: {type: string}}
                          responses: {"200": {description: ok}}
                    """))
        let op = try operation(api, "GET /items/{id}")
        #expect(op.parameters.map(\.argument) == ["path_id", "limit", "query_id", "tags", "X-Trace", "session"])
        let limit = try #require(op.parameters.first { $0.name == "limit" })
        #expect(limit.required && limit.style == "form" && limit.explode)
        #expect(op.inputSchema["properties"]?["limit"]?["maximum"] == .int(10))
        let tags = try #require(op.parameters.first { $0.name == "tags" })
        #expect(tags.style == "pipeDelimited" && !tags.explode)
        let header = try #require(op.parameters.first { $0.location == .header })
        #expect(header.style == "simple" && !header.explode)
        #expect(op.annotations == ToolAnnotations(title: nil, readOnlyHint: true))
        #expect(op.description == "GET /items/{id}")
    }

    @Test func argumentsStayUnique() throws {
        let api = try load(
            doc30(
                paths: """
                      /x/{id}:
                        put:
                          parameters:
                            - {name: id, in: path, required: true, schema: {type: string}}
                            - {name: id, in: query, schema: {type: string}}
                            - {name: query_id, in: query, schema: {type: string}}
                            - {name: body, in: query, schema: {type: string}}
                          requestBody: {content: {application/json: {schema: {type: object, properties: {body: {type: string}}}}}}
                          responses: {"200": {description: ok}}
                    """))
        let op = try operation(api, "PUT /x/{id}")
        #expect(op.parameters.map(\.argument) == ["path_id", "query_id", "query_id_2", "body"])
        #expect(op.body?.mode == .whole && op.body?.argument == "requestBody")
    }

    @Test func yamlUsesTheCoreSchemaAndMergeKeys() throws {
        let api = try load(
            """
            openapi: 3.0.3
            info: {title: T, version: 2.10}
            x-common: &common {name: flag, in: query, schema: {type: string, enum: [yes, no, on, off], default: 0x1F}}
            paths:
              /a:
                get:
                  parameters:
                    - <<: *common
                      description: merged
                  responses: {200: {description: ok}}
            """)
        #expect(api.version == "2.10")
        let flag = try operation(api, "GET /a").inputSchema["properties"]?["flag"]
        #expect(flag?["enum"] == .array([.string("yes"), .string("no"), .string("on"), .string("off")]))
        #expect(flag?["default"] == .int(31) && flag?["description"] == .string("merged"))
    }

    @Test func outputSchemaOnlyForObjects() throws {
        let api = try load(
            doc30(
                paths: """
                      /a:
                        get:
                          summary: Get A
                          responses:
                            default: {description: err, content: {application/json: {schema: {type: object}}}}
                            "201": {description: ok, content: {application/json: {schema: {type: array, items: {type: object}}}}}
                            "200": {description: ok, content: {application/hal+json: {schema: {properties: {x: {type: string}}}}}}
                        delete:
                          description: Removes A
                          responses:
                            default: {description: err, content: {application/json: {schema: {type: object}}}}
                      /b:
                        get:
                          responses:
                            2XX: {description: ok, content: {application/json: {schema: {type: array, items: {}}}}}
                    """))
        let getA = try operation(api, "GET /a")
        #expect(getA.outputSchema?["type"] == .string("object") && getA.outputSchema?["properties"]?["x"] != nil)
        #expect(getA.annotations.title == "Get A" && getA.description == "Get A")
        let deleteA = try operation(api, "DELETE /a")
        #expect(deleteA.outputSchema == nil)
        #expect(deleteA.annotations == ToolAnnotations(destructiveHint: true, idempotentHint: true))
        #expect(try operation(api, "GET /b").outputSchema == nil)
    }

    @Test func descriptionIsCapped() throws {
        let long = String(repeating: "word ", count: 400)
        let api = try load(
            doc30(
                paths: """
                      /a:
                        get: {summary: Short, description: "\(long)", deprecated: true, responses: {"200": {description: ok}}}
                    """))
        let op = try operation(api, "GET /a")
        #expect(op.description.count == 1_000 && op.description.hasPrefix("Short\n\nword") && op.description.hasSuffix("…"))
        #expect(op.deprecated)
    }
}
