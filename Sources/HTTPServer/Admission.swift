/// Whom to let in when the server is full (issue 13: 2,100 idle connections reopened as fast as
/// they closed kept every probe out). Pure: the server's lock holds the numbers, this decides.
///
/// At the server's limit the oldest idle keep-alive connection is closed to admit the new one,
/// as nginx reuses its keep-alive connections; without an idle one, the listener waits (the
/// kernel's backlog holds the rest). One client address may hold at most `perClient`
/// connections: above that its own oldest idle connection makes room, and without one the new
/// connection is closed at once — so one client can neither hold every slot nor starve others.
enum Admission: Equatable {
    /// Accept it.
    case admit
    /// Accept it and close this idle connection (by its key) to make room.
    case admitEvicting(ObjectIdentifier)
    /// Do not accept now: the listener pauses until a connection closes.
    case wait
    /// Accept and close it at once: its client holds too many busy connections.
    case refuse

    /// A connection as the decision sees it.
    struct Candidate {
        let key: ObjectIdentifier
        let client: String
        /// Between requests with nothing buffered.
        let idle: Bool
        /// Since when (a monotonic clock).
        let idleSince: UInt64
    }

    /// Before `accept(2)`: whether the server as a whole has room, or an idle connection to give up.
    static func beforeAccept(total: Int, limit: Int, candidates: () -> [Candidate]) -> Admission {
        guard total >= limit else { return .admit }
        guard let oldest = oldestIdle(candidates()) else { return .wait }
        return .admitEvicting(oldest)
    }

    /// After `accept(2)`, knowing the client: whether it may hold one more.
    static func forClient(holding count: Int, perClient: Int, client: String, candidates: () -> [Candidate]) -> Admission {
        guard count >= perClient else { return .admit }
        guard let oldest = oldestIdle(candidates().filter { $0.client == client }) else { return .refuse }
        return .admitEvicting(oldest)
    }

    static func oldestIdle(_ candidates: [Candidate]) -> ObjectIdentifier? {
        candidates.filter(\.idle).min { $0.idleSince < $1.idleSince }?.key
    }
}
