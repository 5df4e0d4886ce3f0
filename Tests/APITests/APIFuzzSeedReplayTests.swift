import APIFuzzing
import Foundation
import Testing

/// Replays the API fuzz seeds (and any saved crash inputs) through the fuzzer's invariants in an
/// ordinary test run, so a regression shows without libFuzzer.
@Suite struct APIFuzzSeedReplayTests {
    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/api-seeds").path
    }

    @Test("every API seed, under each of the three decoders, satisfies the invariants")
    func seeds() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory)
        #expect(names.count >= 15)
        for name in names {
            let data = Array(try #require(FileManager.default.contents(atPath: Self.directory + "/" + name)))
            for selector in UInt8(0)..<3 { RequestInputInvariants.check([selector] + data.dropFirst()) }
        }
    }

    @Test("every prefix of every seed satisfies the invariants")
    func prefixes() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.directory) {
            let data = Array(try #require(FileManager.default.contents(atPath: Self.directory + "/" + name)))
            for end in 0...data.count { RequestInputInvariants.check(Array(data.prefix(end))) }
        }
    }
}
