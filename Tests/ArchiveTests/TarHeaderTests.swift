import Archive
import ComplianceTesting
import Foundation
import Testing

/// Archives built from `TarHeader` are read back by GNU tar (`tar -tv`, `tar -x`): names, sizes,
/// times, contents; long and non-ASCII names through pax; the same input gives the same bytes.
@Suite struct TarHeaderTests {
    static func archive(_ files: [(String, [UInt8])], modified: Int64 = 1_735_689_600) -> [UInt8] {
        var out: [UInt8] = []
        for (name, data) in files {
            out += TarHeader.blocks(name: name, size: Int64(data.count), modified: modified) + data + TarHeader.padding(Int64(data.count))
        }
        return out + TarHeader.end
    }

    static func tar(_ arguments: [String], archive: [UInt8], in directory: String) throws -> String {
        let path = directory + "/a.tar"
        try Data(archive).write(to: URL(fileURLWithPath: path))
        let run = try ProcessRunner.run(["/bin/tar"] + arguments + ["-f", path], environment: ["TZ": "UTC", "LC_ALL": "C.UTF-8"],
                                        workingDirectory: directory)
        #expect(run.status == 0, "\(run.stderr)")
        return run.stdout + run.stderr
    }

    @Test("GNU tar lists and extracts the members: names (long and UTF-8 through pax), sizes, mode, time, bytes")
    func gnuTarReadsIt() throws {
        let directory = NSTemporaryDirectory() + "tar-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let long = String(repeating: "lang_", count: 30) + ".csv"
        let files: [(String, [UInt8])] = [("index.xml", Array("<DataSet/>\n".utf8)), ("empty.csv", []),
                                          ("größe €.csv", Array("a;b\r\n".utf8)), (long, [UInt8](repeating: 0x41, count: 1025))]
        let listing = try Self.tar(["-tv", "--full-time"], archive: Self.archive(files), in: directory)
        #expect(listing.contains("-rw-r--r-- 0/0              11 2025-01-01 00:00:00 index.xml"), "\(listing)")
        #expect(listing.contains(" 0 2025-01-01 00:00:00 empty.csv") && listing.contains("größe €.csv") && listing.contains(long), "\(listing)")
        _ = try Self.tar(["-x"], archive: Self.archive(files), in: directory)
        for (name, data) in files {
            #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)) == Data(data), "\(name)")
        }
    }

    @Test("deterministic: the same files and time give the same bytes; every header block is whole and checksummed")
    func deterministic() {
        let files: [(String, [UInt8])] = [("a.csv", Array("x\r\n".utf8))]
        #expect(Self.archive(files) == Self.archive(files))
        #expect(Self.archive(files) != Self.archive(files, modified: 1))
        let header = TarHeader.blocks(name: "a.csv", size: 3, modified: 0)
        #expect(header.count == 512 && header[257..<263].elementsEqual(Array("ustar\0".utf8)))
        var blanked = header
        for i in 148..<156 { blanked[i] = 0x20 }
        let sum = blanked.reduce(0) { $0 + Int($1) }
        #expect(String(decoding: header[148..<154], as: UTF8.self) == String(repeating: "0", count: 6 - String(sum, radix: 8).count) + String(sum, radix: 8))
    }

    @Test("pax records count their own length (a record whose length gains a digit included)")
    func paxLengths() {
        // " path=" + 93 bytes + "\n" = 100 bytes, plus 3 digits of length: 103, not 102.
        let value = String(repeating: "p", count: 93)
        let header = TarHeader.blocks(name: value + String(repeating: "q", count: 10), size: 0, modified: 0)
        let body = String(decoding: header[512..<1024], as: UTF8.self).prefix { $0 != "\0" }
        let length = Int(body.prefix { $0 != " " })!
        #expect(length == body.utf8.count, "\(body)")
    }
}
