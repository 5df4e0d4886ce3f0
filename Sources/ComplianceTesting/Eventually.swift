import Foundation

/// Polls `condition` every 50 ms for up to `seconds`. Timing checks must survive a loaded
/// 2-core CI machine: they bound generously from above and never sleep a fixed time instead.
public func eventually(within seconds: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}
