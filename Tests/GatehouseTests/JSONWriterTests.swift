import Foundation
import GatewayFoundation
import Testing

/// The compact JSON writer every answer goes through: escapes exactly what JSON requires, and what it writes is read
/// back to the same value by our parser and by Foundation's (a parser we did not write).
@Suite("JSON writer")
struct JSONWriterTests {
    @Test("strings: quote, backslash, control characters and DEL are escaped; everything else is copied as UTF-8")
    func strings() {
        #expect(JSONValue.string("plain text").jsonString == #""plain text""#)
        #expect(JSONValue.string("a\"b\\c").jsonString == #""a\"b\\c""#)
        #expect(JSONValue.string("l1\nl2\r\tx").jsonString == #""l1\nl2\r\tx""#)
        #expect(JSONValue.string("\u{0}\u{1F}\u{7F}").jsonString == #""\u0000\u001f\u007f""#)
        #expect(JSONValue.string("Grüße 🐕 /").jsonString == "\"Grüße 🐕 /\"")
        #expect(JSONValue.object(["k\"ey": .string("v")]).jsonString == #"{"k\"ey":"v"}"#)
    }

    @Test("scalars and containers")
    func values() {
        let value: JSONValue = .object([
            "n": .null, "t": .bool(true), "f": .bool(false), "i": .int(-42), "d": .double(2.5), "w": .double(3),
            "inf": .double(.infinity), "a": .array([.int(1), .string("x"), .array([])]), "o": .object([:]),
        ])
        #expect(value.jsonString == #"{"n":null,"t":true,"f":false,"i":-42,"d":2.5,"w":3,"inf":null,"a":[1,"x",[]],"o":{}}"#)
    }

    @Test("every string of mixed characters reads back unchanged, by our parser and by Foundation's")
    func roundTrip() throws {
        let alphabet: [String] = ["a", "Z", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{8}", "\u{1B}", "\u{7F}", "é", "中", "🐕", "\u{2028}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let length = Int.random(in: 0..<24, using: &generator)
            let text = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }.joined()
            let bytes = JSONValue.array([.string(text)]).serialized()
            #expect(try JSONParser().parse(bytes) == .array([.string(text)]), "\(text.debugDescription)")
            let foundation = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String]
            #expect(foundation == [text], "\(text.debugDescription)")
        }
    }
}
