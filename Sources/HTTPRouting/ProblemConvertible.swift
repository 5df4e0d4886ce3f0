import HTTP1

/// A handler error that has its own answer: a failure of something the handler depends on (the
/// database down, a timeout), not a bug, so the client gets that problem instead of a 500.
public protocol ProblemConvertible: Error {
    /// The response for this error, or nil for a plain 500.
    var problemResponse: HTTPResponse? { get }
}
