import Testing

@testable import GatewayEngine

/// Parses JSON text for test fixtures.
private func j(_ text: String) -> JSONValue {
    do { return try JSONParser().parse(text) } catch { fatalError("bad fixture JSON: \(error): \(text)") }
}

private func violations(_ value: String, _ schema: String) -> [String] {
    JSONSchemaValidator().validate(j(value), against: j(schema)).map(\.description)
}

@Suite struct JSONSchemaValidatorTests {
    @Test func typeMismatchNamesPointerAndTypes() {
        let schema = #"{"type":"object","properties":{"petId":{"type":"integer"}}}"#
        #expect(violations(#"{"petId":"7"}"#, schema) == ["/petId: expected integer, got string"])
        #expect(violations(#"{"petId":7}"#, schema).isEmpty)
        let v = JSONSchemaValidator().validate(j(#"{"petId":"7"}"#), against: j(schema))
        #expect(v == [SchemaViolation(pointer: "/petId", message: "expected integer, got string")])
    }

    @Test func integerVersusNumber() {
        #expect(violations("3.0", #"{"type":"integer"}"#).isEmpty)
        #expect(violations("3.5", #"{"type":"integer"}"#) == ["/: expected integer, got number"])
        #expect(violations("3", #"{"type":"number"}"#).isEmpty)
        #expect(violations("3.5", #"{"type":"number"}"#).isEmpty)
        #expect(violations("true", #"{"type":"number"}"#) == ["/: expected number, got boolean"])
        #expect(violations("null", #"{"type":["string","null"]}"#).isEmpty)
        #expect(violations("1", #"{"type":["string","null"]}"#) == ["/: expected string or null, got integer"])
    }

    @Test func requiredAndRootPointer() {
        let schema = #"{"type":"object","required":["name","photoUrls"]}"#
        #expect(violations(#"{"photoUrls":[]}"#, schema) == [#"/: missing required property "name""#])
        #expect(violations("{}", schema).count == 2)
    }

    @Test func enumAndConst() {
        let schema = #"{"properties":{"status":{"enum":["available","pending","sold"]}}}"#
        #expect(violations(#"{"status":"foo"}"#, schema) == [#"/status: "foo" is not one of ["available","pending","sold"]"#])
        #expect(violations(#"{"status":"sold"}"#, schema).isEmpty)
        #expect(violations("1.0", #"{"enum":[1,2]}"#).isEmpty, "numbers compare by value")
        #expect(violations(#"{"b":1,"a":[1]}"#, #"{"enum":[{"a":[1],"b":1}]}"#).isEmpty, "key order does not matter")
        #expect(violations(#""x""#, #"{"const":"y"}"#) == [#"/: "x" must be "y""#])
        #expect(violations(#""y""#, #"{"const":"y"}"#).isEmpty)
    }

    @Test func nullableOpenAPI30() {
        let schema = #"{"type":"string","nullable":true,"enum":["a"]}"#
        #expect(violations("null", schema).isEmpty)
        #expect(violations("null", #"{"type":"string"}"#) == ["/: expected string, got null"])
        #expect(violations("1", schema).count == 2)
    }

    @Test func additionalPropertiesFalseAndSchema() {
        let closed = #"{"properties":{"a":{},"b":{}},"additionalProperties":false}"#
        let result = violations(#"{"a":1,"zzz":2}"#, closed)
        #expect(result.count == 1)
        #expect(result.first?.hasPrefix(#"/: unexpected property "zzz""#) == true)
        #expect(result.first?.contains("allowed: a, b") == true)
        #expect(violations(#"{"a":1,"b":2}"#, closed).isEmpty)
        let typed = #"{"properties":{"a":{}},"additionalProperties":{"type":"integer"}}"#
        #expect(violations(#"{"a":"s","x":1,"y":"no"}"#, typed) == ["/y: expected integer, got string"])
    }

    @Test func patternProperties() {
        let schema = #"{"patternProperties":{"^x-":{"type":"string"}},"additionalProperties":false}"#
        #expect(violations(#"{"x-a":"ok"}"#, schema).isEmpty)
        #expect(violations(#"{"x-a":1}"#, schema) == ["/x-a: expected string, got integer"])
        #expect(violations(#"{"y":"s"}"#, schema).count == 1)
    }

    @Test func nestedObjectsAndArraysGivePointers() {
        let schema = #"""
            {"type":"object","properties":{"owner":{"type":"object","required":["id"],
              "properties":{"id":{"type":"integer"},"tags":{"type":"array","items":{"type":"string","minLength":2}}}}}}
            """#
        #expect(
            violations(#"{"owner":{"id":1,"tags":["ok","x",3]}}"#, schema) == [
                "/owner/tags/1: string is 1 characters long; at least 2 required",
                "/owner/tags/2: expected string, got integer",
            ])
        #expect(violations(#"{"owner":{}}"#, schema) == [#"/owner: missing required property "id""#])
        #expect(
            violations(#"{"a/b":{"c~d":1}}"#, #"{"properties":{"a/b":{"properties":{"c~d":{"type":"string"}}}}}"#)
                == ["/a~1b/c~0d: expected string, got integer"])
    }

    @Test func arrayKeywords() {
        #expect(violations("[1]", #"{"minItems":2}"#) == ["/: array has 1 items; at least 2 required"])
        #expect(violations("[1,2,3]", #"{"maxItems":2}"#) == ["/: array has 3 items; at most 2 allowed"])
        #expect(violations(#"[1,{"a":1},1.0]"#, #"{"uniqueItems":true}"#) == ["/: items 0 and 2 are equal; items must be unique"])
        #expect(violations(#"[{"a":1,"b":2},{"b":2,"a":1}]"#, #"{"uniqueItems":true}"#).count == 1)
        #expect(violations("[1,2]", #"{"uniqueItems":true}"#).isEmpty)
        let tuple = #"{"prefixItems":[{"type":"string"},{"type":"integer"}],"items":false}"#
        #expect(violations(#"["a",1]"#, tuple).isEmpty)
        #expect(violations(#"[1,"a"]"#, tuple) == ["/0: expected string, got integer", "/1: expected integer, got string"])
        #expect(violations(#"["a",1,2]"#, tuple) == ["/: array has 3 items; at most 2 allowed"])
        let draft4 = #"{"items":[{"type":"string"}],"additionalItems":{"type":"integer"}}"#
        #expect(violations(#"["a",1,"b"]"#, draft4) == ["/2: expected integer, got string"])
    }

    @Test func stringKeywords() {
        #expect(violations(#""héllo""#, #"{"maxLength":5}"#).isEmpty, "length counts scalars, not bytes")
        #expect(violations(#""héllo!""#, #"{"maxLength":5}"#) == ["/: string is 6 characters long; at most 5 allowed"])
        #expect(violations(#""abc""#, #"{"pattern":"^[a-z]+$"}"#).isEmpty)
        #expect(violations(#""a1""#, #"{"pattern":"^[a-z]+$"}"#) == [#"/: "a1" does not match the pattern "^[a-z]+$""#])
        #expect(violations(#""xx1yy""#, #"{"pattern":"\\d"}"#).isEmpty, "patterns are not anchored")
        #expect(violations(#""anything""#, #"{"pattern":"([unclosed"}"#).isEmpty, "an invalid pattern is ignored")
    }

    @Test func numericKeywords() {
        #expect(violations("5", #"{"minimum":5}"#).isEmpty)
        #expect(violations("4", #"{"minimum":5}"#) == ["/: 4 is less than the minimum 5"])
        #expect(violations("11", #"{"maximum":10}"#) == ["/: 11 is greater than the maximum 10"])
        #expect(violations("5", #"{"exclusiveMinimum":5}"#) == ["/: 5 must be greater than 5"])
        #expect(violations("10", #"{"exclusiveMaximum":10}"#) == ["/: 10 must be less than 10"])
        #expect(violations("5", #"{"minimum":5,"exclusiveMinimum":true}"#) == ["/: 5 must be greater than 5"])
        #expect(violations("10", #"{"maximum":10,"exclusiveMaximum":true}"#) == ["/: 10 must be less than 10"])
        #expect(violations("9.5", #"{"maximum":10,"exclusiveMaximum":true}"#).isEmpty)
        #expect(violations("9223372036854775807", #"{"maximum":9223372036854775806}"#).count == 1, "exact integer comparison")
        #expect(violations("10", #"{"multipleOf":5}"#).isEmpty)
        #expect(violations("11", #"{"multipleOf":5}"#) == ["/: 11 is not a multiple of 5"])
        #expect(violations("0.3", #"{"multipleOf":0.1}"#).isEmpty, "floating-point tolerance")
        #expect(violations("0.35", #"{"multipleOf":0.1}"#).count == 1)
    }

    @Test func objectSizeKeywords() {
        #expect(violations("{}", #"{"minProperties":1}"#) == ["/: object has 0 properties; at least 1 required"])
        #expect(violations(#"{"a":1,"b":2}"#, #"{"maxProperties":1}"#) == ["/: object has 2 properties; at most 1 allowed"])
    }

    @Test func combinators() {
        let allOf = #"{"allOf":[{"required":["a"]},{"required":["b"]}]}"#
        #expect(violations(#"{"a":1}"#, allOf) == [#"/: missing required property "b""#])
        let anyOf = #"{"anyOf":[{"type":"string"},{"type":"integer"}]}"#
        #expect(violations("1", anyOf).isEmpty)
        let anyFail = violations("true", anyOf)
        #expect(anyFail.count == 1)
        #expect(anyFail.first?.hasPrefix("/: does not match any of the 2 anyOf alternatives") == true)
        #expect(anyFail.first?.contains("#1: /: expected string, got boolean") == true)
        let oneOf = #"{"oneOf":[{"type":"number"},{"type":"integer"}]}"#
        #expect(violations("1.5", oneOf).isEmpty)
        #expect(violations("2", oneOf) == ["/: matches more than one oneOf alternative (#1 and #2); exactly one must match"])
        #expect(violations(#""s""#, oneOf).first?.contains("does not match any of the 2 oneOf alternatives") == true)
        #expect(violations("1", #"{"not":{"type":"integer"}}"#) == [#"/: must not match the schema given in "not""#])
        #expect(violations(#""1""#, #"{"not":{"type":"integer"}}"#).isEmpty)
    }

    @Test func booleanSchemas() {
        #expect(violations("1", "true").isEmpty)
        #expect(violations("1", "false") == ["/: no value is allowed here"])
        #expect(violations(#"{"a":1}"#, #"{"properties":{"a":false}}"#) == ["/a: no value is allowed here"])
    }

    @Test func formats() {
        let cases: [(String, String, Bool)] = [
            ("date-time", "2024-05-01T12:00:00Z", true), ("date-time", "2024-05-01T12:00:00.123+02:00", true),
            ("date-time", "2024-05-01", false), ("date-time", "2024-13-01T00:00:00Z", false),
            ("date-time", "2024-05-01T25:00:00Z", false),
            ("date", "2024-02-29", true), ("date", "2023-02-29", false), ("date", "2024-5-1", false),
            ("uuid", "123e4567-e89b-12d3-a456-426614174000", true), ("uuid", "123e4567e89b12d3a456426614174000", false),
            ("email", "a.b@example.com", true), ("email", "no-at-sign", false), ("email", "a b@example.com", false),
            ("ipv4", "192.168.0.1", true), ("ipv4", "256.1.1.1", false), ("ipv4", "01.2.3.4", false),
            ("ipv4", "1.2.3", false), ("hostname", "whatever !", true),
        ]
        for (format, text, valid) in cases {
            let result = JSONSchemaValidator().validate(.string(text), against: .object(["format": .string(format)]))
            #expect(result.isEmpty == valid, "\(format) \(text)")
        }
        #expect(violations("2147483648", #"{"format":"int32"}"#) == ["/: 2147483648 is out of range for format int32"])
        #expect(violations("2147483647", #"{"format":"int32"}"#).isEmpty)
        #expect(violations("1e19", #"{"format":"int64"}"#).count == 1)
        #expect(violations(#""2024""#, #"{"format":"int32"}"#).isEmpty, "numeric formats ignore strings")
    }

    @Test func unknownKeywordsAndNonSchemaValuesAreIgnored() {
        #expect(violations("1", ##"{"x-custom":true,"discriminator":{"propertyName":"t"},"$ref":"#/nope"}"##).isEmpty)
        #expect(violations("1", #"{"type":"widget"}"#).isEmpty)
        #expect(violations("1", "42").isEmpty)
    }

    @Test func violationsAreCapped() {
        var properties = JSONObject()
        var instance = JSONObject()
        for n in 0..<50 {
            properties["p\(n)"] = .object(["type": .string("string")])
            instance["p\(n)"] = .int(Int64(n))
        }
        let result = JSONSchemaValidator().validate(.object(instance), against: .object(["properties": .object(properties)]))
        #expect(result.count == JSONSchemaValidator.maxViolations)
    }

    @Test func recursionIsBounded() {
        var schema: JSONValue = .object(["type": .string("integer")])
        var value: JSONValue = .int(1)
        for _ in 0..<40 {
            schema = .object(["type": .string("object"), "properties": .object(["n": schema])])
            value = .object(["n": value])
        }
        let result = JSONSchemaValidator(maxDepth: 32).validate(value, against: schema)
        #expect(result.count == 1)
        #expect(result.first?.message.contains("nesting exceeds") == true)
        #expect(JSONSchemaValidator(maxDepth: 64).validate(value, against: schema).isEmpty)
    }
}
