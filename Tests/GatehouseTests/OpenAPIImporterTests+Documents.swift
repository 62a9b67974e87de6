import Foundation
import Testing

@testable import GatewayEngine

/// Whole-document cases of the importer: Swagger 2.0 conversion, the base URL, and documents it refuses.
extension OpenAPIImporterTests {
    // MARK: Swagger 2.0

    @Test func swaggerBodyAndFormDataAreConverted() throws {
        let api = try load(
            """
            {"swagger": "2.0", "info": {"title": "Pets", "version": "1.0"},
             "host": "api.example.com", "basePath": "/v1/", "schemes": ["http", "https"],
             "consumes": ["application/json"], "produces": ["application/json"],
             "securityDefinitions": {"key": {"type": "apiKey", "name": "k", "in": "header"}},
             "security": [{"key": []}],
             "parameters": {"limit": {"name": "limit", "in": "query", "type": "integer", "format": "int32"}},
             "paths": {
               "/pets": {
                 "get": {"operationId": "listPets",
                   "parameters": [{"$ref": "#/parameters/limit"},
                     {"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}},
                     {"name": "ids", "in": "query", "type": "array", "items": {"type": "integer"}, "collectionFormat": "multi"}],
                   "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pets"}}}},
                 "post": {"parameters": [{"name": "pet", "in": "body", "required": true, "schema": {"$ref": "#/definitions/Pet"}}],
                   "responses": {"201": {"description": "ok", "schema": {"$ref": "#/definitions/Pet"}}}}},
               "/pets/{id}/photo": {
                 "post": {"consumes": ["multipart/form-data"],
                   "parameters": [{"name": "id", "in": "path", "required": true, "type": "string"},
                     {"name": "file", "in": "formData", "type": "file", "required": true},
                     {"name": "caption", "in": "formData", "type": "string", "description": "Caption"}],
                   "responses": {"200": {"description": "ok"}}}}},
             "definitions": {
               "Pet": {"type": "object", "required": ["name"], "discriminator": "kind",
                       "properties": {"name": {"type": "string"}, "kind": {"type": "string", "x-nullable": true}}},
               "Pets": {"type": "array", "items": {"$ref": "#/definitions/Pet"}}}}
            """, name: "swagger.json")
        #expect(api.format == "swagger-2.0" && api.title == "Pets" && api.version == "1.0")
        #expect(api.baseURL == "https://api.example.com/v1")
        let list = try operation(api, "GET /pets")
        #expect(list.toolName == "listPets" && list.outputSchema == nil)
        #expect(list.inputSchema["properties"]?["limit"] == .object(["type": .string("integer"), "format": .string("int32")]))
        #expect(list.parameters.map(\.explode) == [true, false, true])
        let create = try operation(api, "POST /pets")
        #expect(
            create.body
                == BodyBinding(
                    contentType: "application/json", required: true, mode: .flattened,
                    properties: ["name", "kind"]))
        #expect(create.inputSchema["properties"]?["kind"]?["type"] == .array([.string("string"), .string("null")]))
        #expect(create.outputSchema?["properties"]?["name"] != nil)
        let upload = try operation(api, "POST /pets/{id}/photo")
        #expect(
            upload.body
                == BodyBinding(
                    contentType: "multipart/form-data", required: true, mode: .flattened,
                    properties: ["file", "caption"],
                    encoding: ["file": PropertyEncoding(contentType: "application/octet-stream")]))
        #expect(upload.inputSchema["properties"]?["file"] == .object(["type": .string("string"), "format": .string("binary")]))
        #expect(upload.inputSchema["required"] == .array([.string("id"), .string("file")]))
    }

    // MARK: Base URL

    @Test func baseURLFromServers() throws {
        let withVariables = try load(
            """
            openapi: 3.0.0
            info: {title: T, version: 1.0}
            servers:
              - url: "https://{region}.example.com:{port}/{base}/"
                variables:
                  region: {default: eu, enum: [eu, us]}
                  port: {default: "8443"}
                  base: {default: v2}
            paths: {}
            """)
        #expect(withVariables.baseURL == "https://eu.example.com:8443/v2")
        #expect(withVariables.version == "1.0")
        let relative = """
            openapi: 3.1.0
            info: {title: T, version: "1"}
            servers: [{url: /api/v3}]
            paths: {}
            """
        let fetched = try load(relative, sourceURL: URL(string: "https://petstore.example.org/specs/openapi.yaml"))
        #expect(fetched.baseURL == "https://petstore.example.org/api/v3")
        #expect(try load(relative).baseURL == nil)
        let noServers = try load(
            "openapi: 3.0.1\ninfo: {title: T, version: '1'}\npaths: {}\n",
            sourceURL: URL(string: "http://localhost:8080/openapi.yaml"))
        #expect(noServers.baseURL == "http://localhost:8080")
        let swagger = try load("swagger: 2.0\ninfo: {title: T, version: '1'}\nhost: h.example.com\npaths: {}\n")
        #expect(swagger.baseURL == "https://h.example.com")
    }

    // MARK: Refusals

    @Test func malformedDocumentsReportALocation() throws {
        let yaml = try #require(refusal("openapi: 3.0.0\ninfo:\n  title: [unclosed\npaths: {}\n"))
        #expect(yaml.code == .invalidSpec && yaml.location?.hasPrefix("spec.yaml:") == true)
        let json = try #require(refusal("{\n  \"openapi\": \"3.0.0\",\n  \"info\": {,}\n}", name: "spec.json"))
        #expect(json.code == .invalidSpec && json.location == "spec.json:3:12")
        let notOpenAPI = try #require(refusal("title: nothing\n"))
        #expect(notOpenAPI.code == .invalidSpec && notOpenAPI.location == "spec.yaml#")
        let oldVersion = try #require(refusal("swagger: '1.2'\n"))
        #expect(oldVersion.code == .unsupportedSpec)
        // A response without its description: lenient imports the operation without that response and says so.
        let lenient = try load(doc30(paths: "  /p:\n    get: {responses: {\"200\": {}}}\n"))
        #expect(lenient.operations.count == 1)
        let warning = try #require(lenient.diagnostics.first { $0.kind == .defect })
        #expect(warning.location?.hasPrefix("spec.yaml#/paths/~1p/get/responses/200") == true)
        #expect(!warning.message.contains("**") && !warning.message.contains("`"))
        do {
            _ = try OpenAPIImporter().importDocument(
                Data(doc30(paths: "  /p:\n    get: {responses: {\"200\": {}}}\n").utf8), sourceName: "spec.yaml",
                sourceURL: nil, options: .init(strict: true))
            Issue.record("strict import accepted a defect")
        } catch {
            #expect(error.code == .invalidSpec && error.location?.hasPrefix("spec.yaml#/paths/~1p/get") == true)
            #expect(error.message.contains("strict import"))
        }
    }

    @Test("a keyword the validator does not enforce is a defect: reported where it is, refused by --strict")
    func unsupportedSchemaKeywordsAreReported() throws {
        let paths = """
              /p:
                post:
                  requestBody:
                    content:
                      application/json:
                        schema: {type: object, properties: {a: {type: string}}, unevaluatedProperties: false}
                  responses: {"200": {description: ok}}

            """
        let lenient = try load(doc30(paths: paths, version: "3.1.0"))
        #expect(lenient.operations.count == 1)
        let warning = try #require(lenient.diagnostics.first { $0.message.contains("unevaluatedProperties") })
        #expect(warning.kind == .defect)
        #expect(warning.location?.hasSuffix("/schema/unevaluatedProperties") == true, "\(warning)")
        #expect(warning.message.contains("not enforced"))
        do {
            _ = try OpenAPIImporter().importDocument(
                Data(doc30(paths: paths, version: "3.1.0").utf8), sourceName: "spec.yaml", sourceURL: nil,
                options: .init(strict: true))
            Issue.record("strict import accepted an unsupported keyword")
        } catch {
            #expect(error.code == .invalidSpec && error.message.contains("unevaluatedProperties"), "\(error)")
        }
    }

    @Test func yamlAliasBombIsRefusedQuickly() throws {
        var text = "openapi: 3.0.0\ninfo: {title: T, version: '1'}\npaths: {}\nx-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            text += "x-a\(level): &a\(level) [\(refs)]\n"
        }
        let start = ContinuousClock.now
        let error = try #require(refusal(text))
        #expect(error.message.contains("alias"))
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test func hugeDocumentsAreRefused() throws {
        let data = Data(count: SourceLoader.maxBytes + 1)
        #expect(throws: GatewayError.self) {
            try OpenAPIImporter().importDocument(data, sourceName: "big.json", sourceURL: nil)
        }
    }
}
