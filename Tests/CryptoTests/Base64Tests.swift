import Crypto
import Testing

/// RFC 4648 §10 test vectors, both alphabets, and what decoding refuses.
@Suite struct Base64Tests {
    static let vectors: [(String, String)] = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
    ]

    @Test("RFC 4648 §10 vectors, standard alphabet with padding", arguments: vectors)
    func standard(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test("the URL alphabet without padding (§5), and the two alphabets' differing symbols")
    func url() {
        #expect(Base64.encode(Array("foob".utf8), .url) == "Zm9vYg")
        #expect(Base64.decode("Zm9vYg", .url) == Array("foob".utf8))
        #expect(Base64.encode([0xFB, 0xFF], .standard) == "+/8=")
        #expect(Base64.encode([0xFB, 0xFF], .url) == "-_8")
        #expect(Base64.decode("-_8", .url) == [0xFB, 0xFF])
        #expect(Base64.decode("+/8=", .url) == nil)
        #expect(Base64.decode("-_8=", .standard) == nil)
    }

    @Test("refused: missing or misplaced padding, impossible lengths, foreign characters",
          arguments: ["Zg", "Zg=", "Z===", "Zm9=v", "====", "Zm9v\n", "Zm 9v", "Zm9vY"])
    func refused(text: String) {
        #expect(Base64.decode(text) == nil)
    }

    @Test("S3's Content-MD5 and x-amz-checksum-sha256 of the lock PUT vector (docs/s3-object-lock.md §3 B)")
    func s3Digests() {
        let body = Array("GoBD test payload\n".utf8)
        #expect(Base64.encode(MessageDigest.hash(.md5, body)) == "CLKs7jnPRFwEoxl/zG5P7A==")
        #expect(Base64.encode(SHA256.hash(body)) == "T230U2iztDrndmWdfKwjBg/qd8g9bYmECbpooBiDi+I=")
        #expect(Hex.encode(SHA256.hash(body)) == "4f6df45368b3b43ae776659d7cac23060fea77c83d6d898409ba68a018838be2")
    }
}
