@testable import HTTP1
import Testing

/// The byte classes, written as bit sets, against their grammar spelled out.
@Suite struct ByteClassTests {
    static let alphaDigit = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".utf8)

    @Test("RFC 9110 §5.6.2: tchar is exactly ALPHA, DIGIT and !#$%&'*+-.^_`|~, for every byte value")
    func tchar() {
        let expected = Self.alphaDigit.union("!#$%&'*+-.^_`|~".utf8)
        for b in UInt8.min...UInt8.max {
            #expect(ByteClass.isTchar(b) == expected.contains(b), "byte \(b)")
        }
    }

    @Test("RFC 3986 §3.2.2: a reg-name byte is unreserved, % or a sub-delim other than the comma, for every byte value")
    func regName() {
        let expected = Self.alphaDigit.union("-._~%!$&'()*+;=".utf8)
        for b in UInt8.min...UInt8.max {
            #expect(ByteClass.isRegName(b) == expected.contains(b), "byte \(b)")
        }
    }
}
