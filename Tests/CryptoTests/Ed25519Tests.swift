import ComplianceTesting
import Crypto
import Foundation
import Testing

/// Ed25519 through OpenSSL against RFC 8032 §7.1's test vectors, PEM round trips, and the
/// refusals (another key, another message, a changed signature, keys of other types).
@Suite struct Ed25519Tests {
    struct Vector: Sendable {
        let seed: String, publicKey: String, message: String, signature: String
    }

    // RFC 8032 §7.1, TEST 1 and TEST 2.
    static let vectors = [
        Vector(seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
               publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", message: "",
               signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"),
        Vector(seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
               publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", message: "72",
               signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"),
    ]

    static func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex)! }

    @Test("RFC 8032 vectors: the public key of the seed, the signature, verified", arguments: vectors)
    func rfc8032(_ v: Vector) throws {
        let key = try Ed25519PrivateKey(seed: Self.bytes(v.seed))
        #expect(Hex.encode(key.publicKey.raw) == v.publicKey)
        let signature = try key.sign(Self.bytes(v.message))
        #expect(Hex.encode(signature) == v.signature)
        #expect(key.publicKey.isValidSignature(signature, of: Self.bytes(v.message)))
    }

    @Test("a signature is refused for another message, another key, one flipped bit, or the wrong length")
    func refusals() throws {
        let key = try Ed25519PrivateKey(seed: Self.bytes(Self.vectors[0].seed))
        let other = try Ed25519PrivateKey(seed: Self.bytes(Self.vectors[1].seed))
        let message = Array("audit-checkpoint-v1\n".utf8)
        let signature = try key.sign(message)
        #expect(key.publicKey.isValidSignature(signature, of: message))
        #expect(!key.publicKey.isValidSignature(signature, of: message + [0x0a]))
        #expect(!other.publicKey.isValidSignature(signature, of: message))
        var flipped = signature
        flipped[10] ^= 0x01
        #expect(!key.publicKey.isValidSignature(flipped, of: message))
        #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), of: message))
    }

    @Test("PEM: a generated key's PKCS#8 and public PEM read back to the same key; the key ID is stable and 16 hex characters")
    func pem() throws {
        let key = try Ed25519PrivateKey.generate()
        #expect(key.pkcs8PEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        let again = try Ed25519PrivateKey(pem: key.pkcs8PEM)
        #expect(again.publicKey == key.publicKey)
        #expect(key.publicKey.pem.hasPrefix("-----BEGIN PUBLIC KEY-----\n"))
        #expect(try Ed25519PublicKey(pem: key.publicKey.pem) == key.publicKey)
        #expect(key.publicKey.keyID.count == 16 && key.publicKey.keyID == again.publicKey.keyID)
        #expect(try Ed25519PrivateKey.generate().publicKey.keyID != key.publicKey.keyID)
    }

    @Test("refused: not PEM, an RSA key, a public key where a private one is due, a short raw key")
    func badKeys() throws {
        #expect(throws: SigningKeyError.self) { try Ed25519PrivateKey(pem: "hello") }
        #expect(throws: SigningKeyError.self) { try Ed25519PublicKey(pem: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") }
        let key = try Ed25519PrivateKey.generate()
        #expect(throws: SigningKeyError.self) { try Ed25519PrivateKey(pem: key.publicKey.pem) }
        #expect(throws: SigningKeyError.self) { try Ed25519PublicKey(raw: [1, 2, 3]) }
        // An RSA key made by the openssl command line.
        let rsa = try Self.openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024"])
        do {
            _ = try Ed25519PrivateKey(pem: rsa)
            Issue.record("an RSA key was taken for Ed25519")
        } catch {
            #expect(error.reason.contains("not an Ed25519 key"), "\(error)")
        }
    }

    @Test("interoperable: a key from openssl genpkey signs what openssl pkeyutl verifies")
    func openSSLCommandLine() throws {
        let pem = try Self.openssl(["genpkey", "-algorithm", "ed25519"])
        let key = try Ed25519PrivateKey(pem: pem)
        let directory = NSTemporaryDirectory() + "ed25519-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let message = Array("organization 7f3c\nseq 12\n".utf8)
        try Data(message).write(to: URL(fileURLWithPath: directory + "/message"))
        try Data(key.sign(message)).write(to: URL(fileURLWithPath: directory + "/signature"))
        try key.publicKey.pem.write(toFile: directory + "/public.pem", atomically: true, encoding: .utf8)
        let verified = try Self.openssl(["pkeyutl", "-verify", "-pubin", "-inkey", directory + "/public.pem", "-rawin",
                                         "-in", directory + "/message", "-sigfile", directory + "/signature"])
        #expect(verified.contains("Signature Verified Successfully"), "\(verified)")
    }

    static func openssl(_ arguments: [String]) throws -> String {
        try ProcessRunner.run(["/usr/bin/openssl"] + arguments).stdout
    }
}
