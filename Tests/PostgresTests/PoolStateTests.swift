@testable import Postgres
import Testing

/// The pool's bookkeeping as a pure state machine.
@Suite struct PoolStateTests {
    @Test func lifoSlotsThenFIFOWaiters() {
        var s = PoolState(size: 2)
        var decisions: [PoolState.CheckoutDecision] = []
        for waiter in 1...4 { decisions.append(s.checkout(waiter: UInt64(waiter))) }
        #expect(decisions == [.use(0), .use(1), .wait, .wait])
        var releases: [PoolState.ReleaseDecision] = []
        releases.append(s.release(slot: 1))
        releases.append(s.release(slot: 0))
        releases.append(s.release(slot: 0))
        #expect(releases == [.handOver(waiter: 3, slot: 1), .handOver(waiter: 4, slot: 0), .idle])
        let again = s.checkout(waiter: 5)
        #expect(again == .use(0))
    }

    @Test func abandonedWaiterIsSkipped() {
        var s = PoolState(size: 1)
        for waiter in 1...3 { _ = s.checkout(waiter: UInt64(waiter)) }
        let first = s.abandon(waiter: 2), second = s.abandon(waiter: 2)
        #expect(first && !second)
        let release = s.release(slot: 0)
        #expect(release == .handOver(waiter: 3, slot: 0))
    }

    @Test func closeFailsWaitersAndRefusesCheckouts() {
        var s = PoolState(size: 1)
        _ = s.checkout(waiter: 1)
        _ = s.checkout(waiter: 2)
        let failed = s.close()
        let refused = s.checkout(waiter: 3)
        let release = s.release(slot: 0)
        #expect(failed == [2])
        #expect(refused == .closed)
        #expect(release == .idle)
    }
}
