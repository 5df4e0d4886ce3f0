import Crypto
import Testing

/// MD5 against RFC 1321 §A.5; SHA-256 through the same type against FIPS 180-4 examples; a
/// digest fed in pieces equals the one-shot digest.
@Suite struct MessageDigestTests {
    @Test("RFC 1321 §A.5 test suite", arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func md5(input: String, hex: String) {
        #expect(Hex.encode(MessageDigest.hash(.md5, Array(input.utf8))) == hex)
    }

    @Test("SHA-256 through MessageDigest: FIPS 180-4 'abc'")
    func sha256() {
        #expect(Hex.encode(MessageDigest.hash(.sha256, Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("split at every index, the digest is the one-shot digest", arguments: [MessageDigest.Algorithm.md5, .sha256])
    func split(algorithm: MessageDigest.Algorithm) {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = MessageDigest.hash(algorithm, bytes)
        for i in 0...bytes.count {
            var d = MessageDigest(algorithm)
            d.update(bytes[..<i])
            d.update(bytes[i...])
            #expect(d.finalize() == whole, "split at \(i)")
        }
    }

    @Test("finalizeAndReset: each item's digest as if hashed alone, one context for all", arguments: [MessageDigest.Algorithm.md5, .sha256])
    func reset(algorithm: MessageDigest.Algorithm) {
        var d = MessageDigest(algorithm)
        for item in ["abc", "", "The quick brown fox"] {
            d.update(Array(item.utf8))
            #expect(d.finalizeAndReset() == MessageDigest.hash(algorithm, Array(item.utf8)), "\(item)")
        }
    }
}
