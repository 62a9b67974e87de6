import ConsoleUI
import GatewayFoundation
import Testing

@testable import GatewayEngine

/// The console's escaping and the engine's tool-pinning check share one definition of the code points that hide,
/// reorder or resize text: whatever one flags the other escapes.
@Suite struct TextHazardTests {
    /// Code points that slipped through the console's escaping before it shared the engine's definition, and their
    /// relatives.
    static let hazards: [UInt32] = [
        0x061C, 0x180E, 0xFFF9, 0xFFFA, 0xFFFB, 0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0, 0x00AD, 0x17B4, 0x180B, 0x2028, 0x2029,
        0x200B, 0x200D, 0x200E, 0x202E, 0x2066, 0x2069, 0xFEFF, 0xE0041, 0x1B, 0x9B, 0x7F, 0x1D173,
    ]

    @Test(arguments: hazards)
    func everyHazardIsEscapedAndFlagged(_ value: UInt32) throws {
        let scalar = try #require(Unicode.Scalar(value))
        let text = "a\(Character(scalar))b"
        let shown = SafeText.escape(text)
        #expect(!shown.unicodeScalars.contains(scalar), "U+\(String(value, radix: 16)) reaches the screen raw")
        #expect(shown.hasPrefix("a\\") && shown.hasSuffix("b"))
        #expect(SafeText.isSuspicious(text))
        let flags = ToolFingerprint.flags(["name": "t", "description": .string(text)])
        #expect(flags.contains { $0.hasPrefix("description: ") }, "the pinning check misses U+\(String(value, radix: 16))")
    }

    @Test func ordinaryTextIsLeftAlone() {
        let text = "Größe café 東京 ❤️ naïve — ok\tend"
        #expect(!SafeText.isSuspicious(text))
        #expect(SafeText.escape(text) == "Größe café 東京 ❤️ naïve — ok end")
        #expect(ToolFingerprint.flags(["name": "t", "description": .string(text)]).isEmpty)
    }

    @Test func everyScalarEitherWayAgrees() {
        // Over the planes where hazards live, the console escapes exactly what the engine flags.
        for value in UInt32(0)...0x3_0000 {
            guard let scalar = Unicode.Scalar(value), value != 0x09, value != 0x0A, value != 0x0D else { continue }
            let escaped = SafeText.escape(String(Character(scalar))) != String(Character(scalar))
            #expect(escaped == (ToolFingerprint.suspicious(scalar) != nil), "disagree on U+\(String(value, radix: 16))")
        }
    }
}
