import Archive
import ComplianceTesting
import Crypto
import Foundation
import Testing

/// A package written by `TarGzipWriter` is what GNU tar and gzip read back; every member's and
/// the whole's SHA-256 are those of the bytes; the same input gives the same bytes.
@Suite struct TarGzipWriterTests {
    static func write(_ directory: String, file: String) throws -> (bytes: [UInt8], members: [TarGzipWriter.Member], whole: (sha256: [UInt8], size: Int64)) {
        var out: [UInt8] = []
        var writer = try TarGzipWriter(modified: 1_735_689_600) { out += $0 }
        let members = [try writer.add(name: "index.xml", bytes: Array("<DataSet/>\n".utf8)),
                       try writer.add(name: "ledger_entries.csv", path: file),
                       try writer.add(name: "empty.csv", bytes: [])]
        let whole = try writer.finish()
        return (out, members, whole)
    }

    @Test("GNU tar -xz extracts every member byte for byte; member and whole SHA-256 match; written twice, identical")
    func roundTrip() throws {
        let directory = NSTemporaryDirectory() + "targz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/source.csv"
        let content = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 9) }
        try Data(content).write(to: URL(fileURLWithPath: file))
        let first = try Self.write(directory, file: file)
        #expect(first.members.map(\.name) == ["index.xml", "ledger_entries.csv", "empty.csv"])
        #expect(first.members[1].size == 3_000_000 && first.members[1].sha256 == SHA256.hash(content))
        #expect(first.whole.sha256 == SHA256.hash(first.bytes) && first.whole.size == Int64(first.bytes.count))
        #expect(try Self.write(directory, file: file).bytes == first.bytes)
        try Data(first.bytes).write(to: URL(fileURLWithPath: directory + "/p.tar.gz"))
        let tar = try ProcessRunner.run(["/bin/tar", "-xzf", directory + "/p.tar.gz", "-C", directory + "/out"])
        #expect(tar.status == 0, "\(tar.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/out/ledger_entries.csv")) == Data(content))
        #expect(try String(contentsOfFile: directory + "/out/index.xml", encoding: .utf8) == "<DataSet/>\n")
        #expect(FileManager.default.fileExists(atPath: directory + "/out/empty.csv"))
    }

    @Test("a missing file, or a sink that fails, is a failure naming it")
    func failures() throws {
        var writer = try TarGzipWriter(modified: 0) { _ in }
        #expect(throws: TarGzipWriter.Failure.self) { _ = try writer.add(name: "x", path: "/nonexistent/file.csv") }
        struct Full: Error {}
        var failing = try TarGzipWriter(modified: 0, level: 0) { _ in throw Full() }
        #expect(throws: TarGzipWriter.Failure.self) { _ = try failing.add(name: "x", bytes: [UInt8](repeating: 1, count: 200_000)) }
    }

    /// Spools `content` in pieces of `chunk` bytes and archives it between two small members.
    static func spliced(_ content: [UInt8], chunk: Int, directory: String) async throws -> (bytes: [UInt8], member: TarGzipWriter.Member, spooled: SpooledMember) {
        let spool = try MemberSpool(path: directory + "/spool-\(UUID().uuidString)", level: 6, depth: 2)
        var at = 0
        while at < content.count {
            try await spool.append(Array(content[at..<min(content.count, at + chunk)]))
            at += chunk
        }
        let spooled = try await spool.finish()
        var out: [UInt8] = []
        var writer = try TarGzipWriter(modified: 0) { out += $0 }
        _ = try writer.add(name: "first.txt", bytes: Array("first\n".utf8))
        let member = try writer.add(name: "audit_logs.csv", spooled: spooled)
        _ = try writer.add(name: "last.txt", bytes: Array("last\n".utf8))
        _ = try writer.finish()
        return (out, member, spooled)
    }

    @Test("a member compressed ahead on the spool's thread is spliced in: gzip -t passes, tar extracts it byte for byte, its SHA-256 and size are the bytes'; the cut of the input does not change the package")
    func splicedMember() async throws {
        let directory = NSTemporaryDirectory() + "targz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/out", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let content = (0..<2_500_000).map { UInt8(truncatingIfNeeded: ($0 % 1000 == 0 ? $0 >> 3 : $0 % 61) &+ 32) }
        let a = try await Self.spliced(content, chunk: 65_536, directory: directory)
        let b = try await Self.spliced(content, chunk: 100_003, directory: directory)
        #expect(a.bytes == b.bytes)
        #expect(a.member.size == Int64(content.count) && a.member.sha256 == SHA256.hash(content) && a.spooled.compressedSize < Int64(content.count))
        try Data(a.bytes).write(to: URL(fileURLWithPath: directory + "/p.tar.gz"))
        let (test, tar) = try await Blocking.run {
            (try ProcessRunner.run(["/bin/gzip", "-t", directory + "/p.tar.gz"]),
             try ProcessRunner.run(["/bin/tar", "-xzf", directory + "/p.tar.gz", "-C", directory + "/out"]))
        }
        #expect(test.status == 0 && tar.status == 0, "\(test.stderr) \(tar.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory + "/out/audit_logs.csv")) == Data(content))
        #expect(try String(contentsOfFile: directory + "/out/last.txt", encoding: .utf8) == "last\n")
        let empty = try await Self.spliced([], chunk: 1, directory: directory)
        #expect(empty.member.size == 0 && empty.member.sha256 == SHA256.hash([]))
    }

    @Test("a spool file that already exists, or in a missing directory, is refused")
    func spoolFailures() async throws {
        let directory = NSTemporaryDirectory() + "targz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/taken", contents: Data())
        #expect(throws: MemberSpool.Failure.self) { _ = try MemberSpool(path: directory + "/taken", level: 6) }
        #expect(throws: MemberSpool.Failure.self) { _ = try MemberSpool(path: "/nonexistent/dir/spool", level: 6) }
    }
}
