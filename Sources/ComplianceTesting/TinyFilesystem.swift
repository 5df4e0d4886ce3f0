import Foundation
import Glibc

/// A tmpfs of a few KiB, mounted for a test that needs a full disk (ENOSPC) for real. Needs root
/// (CI and the README's commands run as root); otherwise the test fails saying so.
public final class TinyFilesystem: Sendable {
    public let path: String

    public init(kibibytes: Int) throws {
        guard geteuid() == 0 else { throw HarnessError("mounting a tmpfs needs root: run the tests as root (tools/test.sh does)") }
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tinyfs-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let outcome = try ProcessRunner.run(["/bin/mount", "-t", "tmpfs", "-o", "size=\(kibibytes)k,mode=0700", "tmpfs", path])
        guard outcome.status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw HarnessError("mount -t tmpfs failed: \(outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
    }

    /// Unmounts and removes the mount point.
    public func remove() {
        _ = try? ProcessRunner.run(["/bin/umount", path])
        try? FileManager.default.removeItem(atPath: path)
    }
}
