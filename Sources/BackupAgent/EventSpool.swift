import Compliance
import Foundation
import Glibc
import JCS

/// The local spool of events that could not be stored (I/O shell): one JSON object per line
/// (`NewBackupEvent.json`, event id included), appended with fsync under an exclusive `flock`.
///
/// - An append is whole or not at all: when a write or the sync fails (a full disk), the file is
///   truncated back to its size before the append, so a partial line never stays to merge with
///   the next event. A line left without its newline by a crash mid-write is kept apart (a
///   newline goes before the next append) and rejected on delivery.
/// - Delivery is in file order and exactly once: every event carries its own id, and the store
///   inserts with ON CONFLICT (event_id) DO NOTHING, so a delivery cut short and repeated adds
///   nothing twice. The file is emptied only after every line was delivered; a line that cannot
///   be parsed is moved to `<path>.rejected` (never dropped) and counted, so the caller can say so.
public struct EventSpool: EventSpooling {
    public let path: String

    /// A spool that cannot be used (full, unreadable, not creatable): what failed and errno's text.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public init(path: String) { self.path = path }

    /// Default: `$IMMOFLOW_SPOOL`, else `/var/spool/immoflow-compliance/backup-events.jsonl`.
    public static var defaultPath: String {
        ProcessInfo.processInfo.environment["IMMOFLOW_SPOOL"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "/var/spool/immoflow-compliance/backup-events.jsonl"
    }

    /// Appends `event` (its `eventID` must be set) and syncs it to disk, or leaves the file as
    /// it was and throws.
    public func append(_ event: NewBackupEvent) throws {
        precondition(event.eventID != nil, "spooled events carry their id")
        // Secrets never reach the disk either (the store redacts again; it is idempotent).
        var line = Array((event.redactingSecrets().json.text + "\n").utf8)
        try withLockedFile { fd in
            let original = lseek(fd, 0, SEEK_END)
            guard original >= 0 else { throw failure("seek") }
            if original > 0 {
                var last: UInt8 = 0
                guard pread(fd, &last, 1, original - 1) == 1 else { throw failure("read") }
                if last != UInt8(ascii: "\n") { line.insert(UInt8(ascii: "\n"), at: 0) }
            }
            var offset = 0
            while offset < line.count {
                let n = line[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw rollBack(fd, to: original, "write")
                }
                offset += n
            }
            guard fsync(fd) == 0 else { throw rollBack(fd, to: original, "fsync") }
        }
    }

    /// The failure of `what`, after cutting the file back to `size` (nothing half-written stays).
    private func rollBack(_ fd: Int32, to size: off_t, _ what: String) -> Failure {
        let reason = failure(what)
        if ftruncate(fd, size) == 0 { _ = fsync(fd) }
        return reason
    }

    /// Delivers every spooled event through `deliver` in order, then empties the spool. If
    /// `deliver` throws, the spool is left as it was (delivered events are skipped next time by
    /// their id). Lines that cannot be read are moved to `<path>.rejected` first.
    @discardableResult
    public func deliver(_ deliver: ([NewBackupEvent]) async throws -> Void) async throws -> SpoolDelivery {
        // flock is per open file description: hold it across the await on one descriptor.
        let fd = try openLocked()
        defer { close(fd) }
        let (events, rejected) = try read(fd)
        // The common case — nothing spooled — costs an open, a lock and an empty read, no sync.
        guard !events.isEmpty || !rejected.isEmpty else { return SpoolDelivery(delivered: 0, rejected: 0) }
        if !rejected.isEmpty {
            try appendRejected(rejected)
        }
        if !events.isEmpty { try await deliver(events) }
        guard ftruncate(fd, 0) == 0, fsync(fd) == 0 else { throw failure("truncate") }
        return SpoolDelivery(delivered: events.count, rejected: rejected.count)
    }

    public var rejectedPath: String { path + ".rejected" }

    // MARK: file handling

    private func failure(_ what: String) -> Failure {
        Failure(description: "spool \(path): \(what) failed: \(String(cString: strerror(errno)))")
    }

    private func openLocked() throws -> Int32 {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open") }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else {
                close(fd)
                throw failure("lock")
            }
        }
        return fd
    }

    private func withLockedFile<R>(_ body: (Int32) throws -> R) throws -> R {
        let fd = try openLocked()
        defer { close(fd) }
        return try body(fd)
    }

    private func read(_ fd: Int32) throws -> (events: [NewBackupEvent], rejected: [String]) {
        guard lseek(fd, 0, SEEK_SET) == 0 else { throw failure("seek") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("read")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        var events: [NewBackupEvent] = []
        var rejected: [String] = []
        var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        // The last piece is what follows the last newline: empty, or a line torn by a crash.
        let torn = lines.removeLast()
        for line in lines where !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) {
            do {
                let event = try NewBackupEvent(json: try JSONParser.parse(Array(line)), allowEventID: true)
                guard event.eventID != nil else { throw NewBackupEvent.FieldError("event_id", "is required in the spool") }
                events.append(event)
            } catch {
                rejected.append(String(decoding: line, as: UTF8.self))
            }
        }
        if !torn.isEmpty { rejected.append(String(decoding: torn, as: UTF8.self)) }
        return (events, rejected)
    }

    private func appendRejected(_ lines: [String]) throws {
        let fd = open(rejectedPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("open .rejected") }
        defer { close(fd) }
        let text = Array(lines.map { $0 + "\n" }.joined().utf8)
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(fd) == 0 else { throw failure("write .rejected") }
    }
}
