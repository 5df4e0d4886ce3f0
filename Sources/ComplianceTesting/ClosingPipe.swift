import CInterop
import Glibc

/// Pipes for tests that read a writer to its end. Both ends close on exec from the start: tests
/// run in parallel and spawn processes (clusters, the binary), and a child that inherited the
/// write end would keep the reader from ever seeing its end.
public enum ClosingPipe {
    /// A new pipe as (read end, write end).
    public static func make() throws -> (read: Int32, write: Int32) {
        guard let ends = ProcessDescriptors.closeOnExecPipe() else { throw HarnessError("pipe2 failed: errno \(errno)") }
        return ends
    }
}
