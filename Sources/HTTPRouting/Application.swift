import Chronology
import HTTP1
import JCS
import Logging

/// The HTTP application: routing, request IDs, CORS, problem+json errors and the access log,
/// as the `HTTPResponder` the server core calls.
public final class Application: HTTPResponder {
    /// Methods this server knows; others are 501 (RFC 9110 §9.1). TRACE, CONNECT and QUERY
    /// (draft-ietf-httpbis-safe-method-w-body) are known but never routed, so they get 405 + Allow
    /// (schemathesis counts 501 as a server error).
    static func isKnown(_ method: String) -> Bool {
        switch method {
        case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT", "QUERY": return true
        default: return false
        }
    }

    public let router: Router
    public let cors: CORSPolicy
    public let defaultBodyLimit: Int
    /// Where access-log lines go (nil: no access log); never blocks the loop (`LogSink`).
    public let accessLog: LogSink?
    /// Request paths not logged (load-balancer probes, `--access-log-exclude`).
    let accessLogExcluded: Set<String>
    /// Where the access log's lines are rendered, per event loop.
    let lineScratch = LineScratch()
    /// The event log (handler failures).
    let log: Logger
    /// Request counts and latencies by route pattern, for `/api/metrics`.
    public let metrics: HTTPMetrics

    public init(router: Router, cors: CORSPolicy = CORSPolicy(allowedOrigins: []), defaultBodyLimit: Int = 1024 * 1024,
                accessLog: LogSink? = nil, accessLogExcluded: Set<String> = [],
                log: Logger = Logger(label: "immoflow", factory: { _ in SwiftLogNoOpLogHandler() }), metrics: HTTPMetrics = HTTPMetrics()) {
        self.log = log
        self.metrics = metrics
        self.router = router
        self.cors = cors
        self.defaultBodyLimit = defaultBodyLimit
        self.accessLog = accessLog
        self.accessLogExcluded = accessLogExcluded
    }

    /// Matches the request once, when its head arrives; makes its request ID.
    public func route(_ head: RequestHead) -> RequestRoute {
        let requestID = RequestID.accept(head.headers["X-Request-Id"]) ?? RequestID.generate()
        if case .found(let route, let parameters) = router.match(method: head.method, path: head.path) {
            return RequestRoute(bodyLimit: route.bodyLimit ?? defaultBodyLimit, index: route.index, parameters: parameters,
                                requestID: requestID)
        }
        return RequestRoute(bodyLimit: defaultBodyLimit, requestID: requestID)
    }

    public func immediateResponse(to request: HTTPRequest) -> HTTPResponse? {
        let requestID = request.route.requestID ?? RequestID.generate()
        guard Self.isKnown(request.method) else {
            return finish(Problem(status: 501, code: "method_not_implemented", detail: "method \(request.method) is not implemented").response(),
                          request, requestID, route: Self.unmatched)
        }
        if let route = router.route(at: request.route.index) {
            guard case .immediate(let handler) = route.kind else { return nil }
            return finish(handler(request), request, requestID, route: route.pattern)
        }
        return unrouted(request, requestID)
    }

    /// The answer for a request no route takes: OPTIONS, 405 with `Allow`, or 404.
    private func unrouted(_ request: HTTPRequest, _ requestID: String) -> HTTPResponse {
        if request.method == "OPTIONS" && request.path == "*" {
            // RFC 9110 §9.3.7: the server's capabilities — the methods some route has.
            var headers = HTTPHeaders()
            headers.set("Allow", router.methods.joined(separator: ", "))
            return finish(HTTPResponse(status: 204, headers: headers), request, requestID, route: Self.unmatched)
        }
        // Rare, so the Allow list is looked up here rather than carried by every request.
        if case .methodNotAllowed(let allow) = router.match(method: request.method, path: request.path) {
            if request.method == "OPTIONS" { return finish(options(request, allow: allow), request, requestID, route: Self.unmatched) }
            var headers = HTTPHeaders()
            headers.set("Allow", allow.joined(separator: ", "))
            let problem = Problem(status: 405, code: "method_not_allowed",
                                  detail: "\(request.method) is not allowed here; allowed: \(allow.joined(separator: ", "))")
            return finish(problem.response(headers: headers), request, requestID, route: Self.unmatched)
        }
        return finish(Problem(status: 404, code: "not_found", detail: "no resource at this path").response(), request, requestID,
                      route: Self.unmatched)
    }

    public func startResponse(to request: HTTPRequest, reply: @escaping @Sendable (HTTPResponse) -> Void) -> Bool {
        guard let route = router.route(at: request.route.index), case .started(let start, _) = route.kind else { return false }
        let requestID = request.route.requestID ?? RequestID.generate()
        return start(request) { [self] outcome in reply(complete(outcome, request, requestID, route: route.pattern)) }
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        let requestID = request.route.requestID ?? RequestID.generate()
        let handler: Router.Handler
        switch router.route(at: request.route.index)?.kind {
        case .async(let h), .started(_, fallback: let h): handler = h
        case .immediate, nil:
            return immediateResponse(to: request)
                ?? finish(Problem(status: 500, code: "internal_error").response(), request, requestID, route: Self.unmatched)
        }
        let pattern = router.route(at: request.route.index)?.pattern ?? Self.unmatched
        do {
            return complete(.success(try await handler(request)), request, requestID, route: pattern)
        } catch {
            return complete(.failure(error), request, requestID, route: pattern)
        }
    }

    public func connectionFailed(_ reason: String) {
        metrics.countConnectionFailure()
        log.error("connection closed by its state machine", metadata: ["reason": .string(reason)])
    }

    /// The response of a handler; for its failure the error's own problem (`ProblemConvertible`:
    /// a database that is down is a 503), else a 500 for this request only (logged). The
    /// connection and the process live on.
    private func complete(_ outcome: Result<HTTPResponse, any Error>, _ request: HTTPRequest, _ requestID: String,
                          route: String) -> HTTPResponse {
        switch outcome {
        case .success(let response):
            return finish(response, request, requestID, route: route)
        case .failure(let error as ProblemConvertible) where error.problemResponse != nil:
            return finish(error.problemResponse!, request, requestID, route: route)
        case .failure(let error):
            // The type of the error, never its text, which could carry data.
            log.error("handler failed", metadata: ["path": .string(request.path), "request_id": .string(requestID),
                                                   "error": .string(String(describing: type(of: error)))])
            return finish(Problem(status: 500, code: "internal_error", detail: "the request could not be completed").response(),
                          request, requestID, route: route)
        }
    }

    public func errorResponse(status: Int, reason: String, head: RequestHead?) -> HTTPResponse {
        var response = Problem.forRefusal(status: status, reason: reason).response()
        response.requestID = RequestID.accept(head?.headers["X-Request-Id"]) ?? RequestID.generate()
        return response
    }

    /// The route label of a request that matched no route.
    static let unmatched = "unmatched"

    public func didRespond(_ record: HTTPResponseRecord) {
        // The label the response carries; for a refusal by the core, the route its target would
        // have matched.
        let route = record.routeLabel ?? record.target.map { target -> String in
            let path = String(target.prefix { $0 != "?" })
            if case .found(let r, _) = router.match(method: record.method ?? "GET", path: path) { return r.pattern }
            return Self.unmatched
        } ?? "unparsed"
        metrics.observe(route: route, method: Self.isKnown(record.method ?? "") ? record.method! : "other", status: record.status,
                        seconds: Double(record.durationNanoseconds) / 1_000_000_000)
        guard let accessLog else { return }
        if !accessLogExcluded.isEmpty, let target = record.target, accessLogExcluded.contains(String(target.prefix { $0 != "?" })) {
            return
        }
        // Rendered into the loop's own scratch memory; a line too long for it (a long target)
        // through a buffer of its size.
        var writer = HeadWriter(lineScratch.buffer(record.loop))
        let now = AccessLogLine.wallClock()
        AccessLogLine.write(record, route: route, now: now, into: &writer)
        if writer.fits {
            accessLog.append(UnsafeRawBufferPointer(writer.written), slot: record.loop)
        } else {
            AccessLogLine.withLine(record, route: route, now: now) { accessLog.append($0, slot: record.loop) }
        }
    }

    /// OPTIONS on a resource: `Allow`, plus the CORS preflight answer when one is asked for.
    private func options(_ request: HTTPRequest, allow: [String]) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.set("Allow", allow.joined(separator: ", "))
        if let origin = request.headers["Origin"], let method = request.headers["Access-Control-Request-Method"] {
            guard let granted = cors.preflight(origin: origin, method: method,
                                               requestHeaders: request.headers["Access-Control-Request-Headers"],
                                               allowedMethods: allow) else {
                return Problem(status: 403, code: "cors_preflight_denied",
                               detail: "this origin, method or header is not allowed").response(headers: headers)
            }
            for field in granted { headers.add(field.name, field.value) }
        }
        return HTTPResponse(status: 204, headers: headers)
    }

    /// Adds what every response carries: the request ID and the CORS fields; and the route
    /// label its metrics and log line get (the pattern matched, or `unmatched`).
    private func finish(_ response: consuming HTTPResponse, _ request: HTTPRequest, _ requestID: String, route: String) -> HTTPResponse {
        // Changed in place (a consumed value is the caller's no longer: no copy).
        response.routeLabel = route
        // Sent by the core after the fields; one a handler set itself would be a second. Looked
        // up first: removing from a shared constant set copies it even when nothing goes.
        response.requestID = requestID
        if response.headers.contains("X-Request-Id") { response.headers.remove("X-Request-Id") }
        if request.method != "OPTIONS" { cors.responseHeaders(origin: request.headers["Origin"], into: &response.headers) }
        return consume response
    }
}
