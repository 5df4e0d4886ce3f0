import BackupAgent
import Chronology
import Compliance
import ComplianceTesting
import Foundation
import Synchronization
import Testing

/// The spool on a real, tiny, full filesystem (issue 12, item D): an append is whole or not at
/// all, a torn line is kept apart and reported, never merged with the next event.
@Suite(.serialized) struct EventSpoolTests {
    static func event(_ n: Int) -> NewBackupEvent {
        NewBackupEvent(eventID: String(format: "00000000-0000-4000-8000-%012d", n), type: .check, status: .failed,
                       occurredAt: Timestamp(secondsSinceEpoch: 1_795_000_000 + Int64(n)), stanza: "main",
                       errorMessage: "ERROR: [029]: event \(n) " + String(repeating: "x", count: 300))
    }

    func collect(_ spool: EventSpool) async throws -> ([NewBackupEvent], SpoolDelivery) {
        let got = Mutex<[NewBackupEvent]>([])
        let delivery = try await spool.deliver { events in got.withLock { $0 += events } }
        return (got.withLock { $0 }, delivery)
    }

    @Test("ENOSPC: a failed append leaves the file as it was; every line in it is whole and delivered")
    func fullDisk() async throws {
        let fs = try TinyFilesystem(kibibytes: 16)
        defer { fs.remove() }
        let spool = EventSpool(path: fs.path + "/spool.jsonl")
        var appended = 0
        var failures = 0
        func size() -> Int { (try? Data(contentsOf: URL(fileURLWithPath: spool.path)).count) ?? 0 }
        for n in 1...200 {
            let before = size()
            do {
                try spool.append(Self.event(n))
                appended += 1
            } catch let failure as EventSpool.Failure {
                failures += 1
                #expect(failure.description.contains("No space left on device"), "\(failure)")
                // nothing of the failed event stays
                #expect(size() == before)
            }
        }
        #expect(appended > 5 && failures > 0, "appended \(appended), failed \(failures)")
        let text = try String(contentsOfFile: spool.path, encoding: .utf8)
        #expect(text.hasSuffix("\n") && text.split(separator: "\n").count == appended)
        let (events, delivery) = try await collect(spool)
        #expect(delivery == SpoolDelivery(delivered: appended, rejected: 0))
        #expect(events.map(\.eventID) == (1...appended).map { Self.event($0).eventID })
        #expect(!FileManager.default.fileExists(atPath: spool.rejectedPath))
        // emptied after delivery: there is room again
        try spool.append(Self.event(999))
        #expect(try await collect(spool).1.delivered == 1)
    }

    @Test("a line torn by a crash is kept apart from the next event and reported as rejected, never dropped")
    func tornLine() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = EventSpool(path: directory + "/spool.jsonl")
        try spool.append(Self.event(1))
        let whole = try String(contentsOfFile: spool.path, encoding: .utf8)
        let torn = String(Self.event(2).json.text.prefix(40))
        try (whole + torn).write(toFile: spool.path, atomically: false, encoding: .utf8)
        try spool.append(Self.event(3))
        let (events, delivery) = try await collect(spool)
        #expect(events.map(\.eventID) == [Self.event(1).eventID, Self.event(3).eventID])
        #expect(delivery == SpoolDelivery(delivered: 2, rejected: 1))
        #expect(try String(contentsOfFile: spool.rejectedPath, encoding: .utf8) == torn + "\n")
    }

    @Test("a torn last line with nothing after it is rejected too")
    func tornAtTheEnd() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let spool = EventSpool(path: directory + "/spool.jsonl")
        try spool.append(Self.event(1))
        let handle = try #require(FileHandle(forWritingAtPath: spool.path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"type":"check","sta"#.utf8))
        handle.closeFile()
        let (events, delivery) = try await collect(spool)
        #expect(events.count == 1 && delivery.rejected == 1)
    }
}
