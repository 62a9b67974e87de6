import Foundation
import Testing

@testable import GatewayEngine

/// The defects real API descriptions are known for (issue 11), each reproduced in a small document written for the
/// test: the import is lenient, says what it read and where (in the user's own file), and `strict` refuses.
@Suite struct OpenAPIRealWorldTests {
    func load(_ text: String, name: String = "spec.yaml", strict: Bool = false) throws(GatewayError) -> ImportedAPI {
        try OpenAPIImporter().importDocument(Data(text.utf8), sourceName: name, sourceURL: nil, options: .init(strict: strict))
    }

    func defect(_ api: ImportedAPI, at location: String) -> ImportWarning? {
        api.diagnostics.first { $0.kind == .defect && $0.location == location }
    }

    func swagger(_ paths: String, definitions: String = "", extra: String = "") -> String {
        """
        swagger: "2.0"
        info: {title: T, version: "1"}
        host: api.example.com
        \(extra)
        paths:
        \(paths)
        \(definitions.isEmpty ? "" : "definitions:\n" + definitions)
        """
    }

    @Test func swaggerTypeAliasInAParameter() throws {
        // httpbin: `type: int` on a Swagger 2.0 query parameter.
        let api = try load(
            swagger(
                """
                  /delay/{n}:
                    get:
                      operationId: delay
                      parameters: [{name: n, in: path, required: true, type: int}]
                      responses: {"200": {description: ok}}
                """))
        #expect(api.operations.count == 1)
        let warning = try #require(defect(api, at: "spec.yaml#/paths/~1delay~1{n}/get/parameters/0/type"))
        #expect(warning.message == "type 'int' is not a JSON Schema type; read as 'integer'")
        #expect(api.operations[0].inputSchema["properties"]?["n"]?["type"] == .string("integer"))
        #expect(throws: GatewayError.self) {
            try load(
                swagger(
                    """
                      /delay/{n}:
                        get:
                          parameters: [{name: n, in: path, required: true, type: int}]
                          responses: {"200": {description: ok}}
                    """), strict: true)
        }
    }

    @Test func typeAliasInAResponseHeader() throws {
        // ShipBob: `type: int` in a response header.
        let api = try load(
            swagger(
                """
                  /orders:
                    get:
                      operationId: listOrders
                      responses:
                        "200":
                          description: ok
                          headers: {Page-Count: {type: int}}
                          schema: {type: object, properties: {id: {type: integer}}}
                """))
        #expect(api.operations.count == 1)
        #expect(defect(api, at: "spec.yaml#/paths/~1orders/get/responses/200/headers/Page-Count/type") != nil)
    }

    @Test func swaggerTypeListInADefinition() throws {
        // Slack: `type: ["null", "string"]` in a Swagger 2.0 schema; the pointer is the Swagger one.
        let api = try load(
            swagger(
                """
                  /users.profile.get:
                    get:
                      operationId: users.profile.get
                      responses: {"200": {description: ok, schema: {$ref: '#/definitions/objs_user_profile'}}}
                """,
                definitions: """
                      objs_user_profile:
                        type: object
                        properties:
                          name: {type: ["null", "string"]}
                    """))
        #expect(api.operations.map(\.toolName) == ["users.profile.get"])
        let warning = try #require(defect(api, at: "spec.yaml#/definitions/objs_user_profile/properties/name/type"))
        #expect(warning.message.contains("read as 'string', nullable"))
        let name = api.operations[0].outputSchema?["properties"]?["name"]
        #expect(name?["type"] == .array([.string("string"), .string("null")]))
    }

    @Test func emptyExternalDocsURL() throws {
        // Toolhive: `externalDocs.url: ""`.
        let api = try load(
            """
            openapi: 3.0.3
            info: {title: T, version: "1"}
            externalDocs: {url: ""}
            paths:
              /health: {get: {operationId: health, responses: {"200": {description: ok}}}}
            """)
        #expect(api.operations.count == 1)
        #expect(defect(api, at: "spec.yaml#/externalDocs/url") != nil)
    }

    @Test func responseReferenceToARequestBody() throws {
        // PagerDuty: one response `$ref` points at a request body; its neighbours are untouched.
        let api = try load(
            """
            openapi: 3.0.3
            info: {title: T, version: "1"}
            paths:
              /data:
                put:
                  operationId: putData
                  requestBody: {$ref: '#/components/requestBodies/Data'}
                  responses: {"200": {$ref: '#/components/requestBodies/Data'}}
                get:
                  operationId: getData
                  responses: {"200": {description: ok}}
            components:
              requestBodies:
                Data: {content: {application/json: {schema: {type: object, properties: {v: {type: string}}}}}}
            """)
        #expect(api.operations.map(\.toolName) == ["putData", "getData"])
        let warning = try #require(defect(api, at: "spec.yaml#/paths/~1data/put/responses/200/$ref"))
        #expect(warning.message.contains("request body"))
    }

    @Test func integerBoundBeyond64Bits() throws {
        // OpenAI: `maximum: 9223372036854776000` on an integer.
        let api = try load(
            """
            {"openapi": "3.0.0", "info": {"title": "T", "version": "1"},
             "paths": {"/c": {"post": {"operationId": "create", "requestBody": {"content": {"application/json":
               {"schema": {"type": "object", "properties": {"seed": {"type": "integer",
                 "minimum": -9223372036854775808, "maximum": 9223372036854776000}}}}}},
               "responses": {"200": {"description": "ok"}}}}}}
            """, name: "openai.json")
        #expect(api.operations.count == 1)
        let at = "openai.json#/paths/~1c/post/requestBody/content/application~1json/schema/properties/seed/maximum"
        #expect(defect(api, at: at)?.message.contains("64-bit") == true)
        #expect(api.operations[0].inputSchema["properties"]?["seed"]?["maximum"] == .int(.max))
    }

    @Test func propertiesNamedLikeKeywordsAreSchemas() throws {
        // Kubernetes: properties named enum, default, example, examples and const hold `$ref`s that must be rewritten
        // and followed like any other.
        let names = ["enum", "default", "example", "examples", "const"]
        let properties = names.map { "      \($0): {$ref: '#/definitions/JSON'}" }.joined(separator: "\n")
        let api = try load(
            swagger(
                """
                  /schemas:
                    post:
                      operationId: createSchema
                      parameters: [{name: body, in: body, required: true, schema: {$ref: '#/definitions/Props'}}]
                      responses: {"200": {description: ok, schema: {$ref: '#/definitions/Props'}}}
                """,
                definitions: """
                      Props:
                        type: object
                        properties:
                    \(properties)
                      JSON: {type: object, description: any JSON}
                    """))
        #expect(api.diagnostics.filter { $0.kind == .defect }.isEmpty)
        let output = try #require(api.operations[0].outputSchema)
        for name in names {
            #expect(output["properties"]?[name]?["description"] == .string("any JSON"), "\(name)")
        }
        #expect(!output.jsonString.contains("$ref"))
    }

    @Test func everyProblemOnceInOnePassAndStrictListsThemAll() throws {
        let text = swagger(
            """
              /a:
                get:
                  operationId: a
                  parameters: [{name: x, in: query, type: int}, {name: y, in: query, type: float}]
                  responses: {"200": {description: ok}}
              /b:
                get:
                  operationId: b
                  parameters: [{name: x, in: query, type: int}]
                  responses: {"200": {description: ok}}
            """)
        let api = try load(text)
        let defects = api.diagnostics.filter { $0.kind == .defect }
        #expect(defects.count == 3)
        #expect(Set(defects.map(\.description)).count == defects.count)
        do {
            _ = try load(text, strict: true)
            Issue.record("strict import accepted defects")
        } catch {
            #expect(error.message.contains("2 other problems"))
            #expect(error.location == "spec.yaml#/paths/~1a/get/parameters/0/type")
        }
    }

    @Test func anOperationThatCannotBeBuiltIsSkipped() throws {
        let api = try load(
            """
            openapi: 3.0.3
            info: {title: T, version: "1"}
            paths:
              /ok: {get: {operationId: ok, responses: {"200": {description: ok}}}}
              /broken:
                get:
                  operationId: broken
                  parameters: [{name: q, in: query, schema: {$ref: '#/components/schemas/Missing'}}]
                  responses: {"200": {description: ok}}
            """)
        #expect(api.operations.map(\.toolName) == ["ok"])
        let warning = try #require(defect(api, at: "spec.yaml#/paths/~1broken/get/parameters/0/schema/$ref"))
        #expect(warning.message.contains("GET /broken is skipped"))
    }

    @Test func nothingBuildableIsRefused() throws {
        #expect(throws: GatewayError.self) {
            try load(
                """
                openapi: 3.0.3
                info: {title: T, version: "1"}
                paths:
                  /p: {get: {parameters: [{name: q, in: query, schema: {$ref: 'other.yaml#/Q'}}], responses: {"200": {description: ok}}}}
                """)
        }
    }

    @Test func pathKeysWithFragmentsStayDistinctAndAreSentWithoutTheFragment() throws {
        // Box: `/files/{file_id}#get-shared-link` beside `/files/{file_id}`.
        let api = try load(
            """
            openapi: 3.0.3
            info: {title: T, version: "1"}
            servers: [{url: "https://api.box.example/2.0"}]
            paths:
              /files/{file_id}:
                get: {parameters: [{name: file_id, in: path, required: true, schema: {type: string}}], responses: {"200": {description: ok}}}
              /files/{file_id}#get_shared_link:
                get:
                  parameters:
                    - {name: file_id, in: path, required: true, schema: {type: string}}
                    - {name: fields, in: query, required: true, schema: {type: string}}
                  responses: {"200": {description: ok}}
            """)
        #expect(api.operations.count == 2)
        #expect(Set(api.operations.map(\.toolName)).count == 2)
        let request = try BackendRequestBuilder().build(
            operation: api.operations[1], baseURL: "https://api.box.example/2.0",
            arguments: ["file_id": .string("12"), "fields": .string("shared_link")])
        #expect(request.url == "https://api.box.example/2.0/files/12?fields=shared_link")
    }
}
