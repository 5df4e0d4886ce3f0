import Dispatch
import Synchronization

/// A bounded hand-over between two threads that block (not tasks): `push` waits while `capacity`
/// items wait, `pop` while there are none. For the two halves of `verify-package`, each on a
/// thread of its own.
final class EventQueue<Item: Sendable>: Sendable {
    private let items = Mutex<[Item]>([])
    private let free: DispatchSemaphore
    private let filled = DispatchSemaphore(value: 0)

    init(capacity: Int) {
        free = DispatchSemaphore(value: capacity)
    }

    func push(_ item: Item) {
        free.wait()
        items.withLock { $0.append(item) }
        filled.signal()
    }

    func pop() -> Item {
        filled.wait()
        let item = items.withLock { $0.removeFirst() }
        free.signal()
        return item
    }
}
