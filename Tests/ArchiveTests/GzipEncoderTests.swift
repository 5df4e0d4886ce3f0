import Archive
import ComplianceTesting
import Foundation
import Testing

/// The gzip filter's output must be accepted and decoded by the real `gzip` tool.
@Suite struct GzipEncoderTests {
    @Test("gzip -t accepts the output and gzip -dc restores the input", arguments: [0, 1, 70_000, 1_000_003])
    func roundTripThroughGzip(size: Int) throws {
        let input = (0..<size).map { UInt8(truncatingIfNeeded: ($0 * 31) % 251 + ($0 / 1000)) }
        var encoder = try GzipEncoder()
        var output: [UInt8] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + 65_521)
            output += try encoder.compress(Array(input[offset..<end]))
            offset = end
        }
        output += try encoder.finish()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gz-\(UUID().uuidString).gz").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(output)))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ProcessRunner.run(["gzip", "-t", path]).status == 0)
        // gzip -dc to a file: the decompressed bytes are binary, not text
        let out = path + ".out"
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(try ProcessRunner.run(["sh", "-c", "gzip -dc \"$0\" > \"$1\"", path, out]).status == 0)
        #expect(FileManager.default.contents(atPath: out) == Data(input))
    }

    @Test func finishTwiceIsHarmless() throws {
        var encoder = try GzipEncoder()
        _ = try encoder.compress(Array("hallo".utf8))
        #expect(!(try encoder.finish()).isEmpty)
        #expect(try encoder.finish().isEmpty)
    }
}
