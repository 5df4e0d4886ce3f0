import CProcess
import Glibc

/// The descriptors of child-process handling, from our C (`CProcess`, imported here only).
public enum ProcessDescriptors {
    /// A pipe as (read end, write end) whose ends close on exec from the start (pipe2 with
    /// O_CLOEXEC), so a child another thread spawns meanwhile never inherits them; nil with
    /// `errno` set.
    public static func closeOnExecPipe() -> (read: Int32, write: Int32)? {
        var fds: [Int32] = [-1, -1]
        guard cprocess_pipe_cloexec(&fds) == 0 else { return nil }
        return (fds[0], fds[1])
    }

    /// pidfd_open(2): a descriptor that becomes readable when `pid` exits; nil with `errno` set
    /// (ENOSYS before Linux 5.3).
    public static func pidfd(_ pid: pid_t) -> Int32? {
        let fd = cprocess_pidfd_open(pid)
        return fd >= 0 ? fd : nil
    }
}
