import Foundation
import HTTP1Fuzzing
import Testing

/// Replays the fuzz seeds (and any saved crash inputs) through the fuzzer's invariants in an
/// ordinary test run, so regressions show without libFuzzer.
@Suite struct FuzzSeedReplayTests {
    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/seeds").path
    }

    @Test("every seed satisfies the parser invariants")
    func seeds() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.directory)
        #expect(names.count >= 10)
        for name in names {
            let data = try #require(FileManager.default.contents(atPath: Self.directory + "/" + name))
            ParserInvariants.check(Array(data))
        }
    }

    @Test("every split point of every seed satisfies the invariants")
    func allSplits() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: Self.directory) {
            let data = Array(try #require(FileManager.default.contents(atPath: Self.directory + "/" + name)))
            for split in 0..<256 { ParserInvariants.check([UInt8(split)] + data.dropFirst()) }
        }
    }
}
