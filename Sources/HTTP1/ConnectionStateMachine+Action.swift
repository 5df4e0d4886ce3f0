extension ConnectionStateMachine {
    /// What the socket shell does next. Every event returns one; the shell carries it out and,
    /// unless it says `wait` or reports back with an event, asks `next(now:)` for the one after.
    ///
    /// Actions carry no values: what an action needs waits in the machine and is taken with
    /// the accessor its case names (`route`: `head`; `dispatch`: `takeRequest()`; …). An enum
    /// with payloads would be copied and destroyed through value witnesses at every step of
    /// every request (a tenth of a keep-alive request's time when it was).
    public enum Action: Sendable, Equatable {
        /// Nothing until the next event (input, writability, a response, a timer).
        case wait
        /// `head` is complete: ask the application (`HTTPResponder.route`), report with `routed`.
        case route
        /// A complete request (`takeRequest()`) for the application; its response comes back
        /// with `respond`.
        case dispatch
        /// The core refuses the request itself (`refusal`: status and reason; `head` if parsed):
        /// get the application's error response and report with `respond` (the connection
        /// closes after it, lingering).
        case refuse
        /// Write the pending output (`writeOutput`) until done or the socket is full; report
        /// with `writeFinished`.
        case write
        /// Run the producer of a streamed body (`takeProducer()`); its parts come back with
        /// `bodyPart`, its end with `streamEnded`.
        case startProducer
        /// The producer's last `write` may return.
        case resumeProducer
        /// The producer's pending `write` throws: the response will not be completed.
        case stopProducer
        /// A response's last byte went out, or it ended short (`takeRecord()`, for
        /// `HTTPResponder.didRespond`: the log and the metrics).
        case responded
        /// Stop watching the socket for input (too much is buffered).
        case pauseReading
        /// Watch the socket for input again.
        case resumeReading
        /// With `linger`: shut down the sending side and keep reading, discarding, until the
        /// peer's end or the linger timer. Without: close the socket, cancel the handler and the
        /// producer (a waiting `write` throws). The machine is closed for good.
        case close(linger: Bool)
        /// An event met a state without a transition for it (release builds; `failure` says
        /// which): log and count it, then close as with `close(linger: false)`.
        case fail
    }

    /// How a `write` action ended.
    public enum WriteResult: Sendable, Equatable {
        /// Everything pending was written.
        case complete
        /// The socket is full: report `writable` when it takes more.
        case wouldBlock
        /// The peer is gone (EPIPE, ECONNRESET).
        case failed
    }

    /// What one attempt to send returned (the shell's reading of `send(2)`).
    public enum SendResult: Sendable, Equatable {
        case sent(Int)
        /// EINTR: try again.
        case interrupted
        /// EAGAIN: the socket is full.
        case full
        /// Any other error: the peer is gone.
        case failed
    }
}
