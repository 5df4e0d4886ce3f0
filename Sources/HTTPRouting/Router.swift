import HTTPServer

/// Method + path-pattern routing (`/api/items/:id`), with the information for 404, 405 + `Allow`
/// and OPTIONS. `HEAD` is served by `GET` routes (RFC 9110 §9.3.2).
public struct Router: Sendable {
    /// A handler that answers without suspending (runs on the connection's queue).
    public typealias ImmediateHandler = @Sendable (HTTPRequest) -> HTTPResponse
    /// A handler that may suspend; a thrown error becomes a 500 problem (never a crash).
    public typealias Handler = @Sendable (HTTPRequest) async throws -> HTTPResponse

    /// A handler that starts its response without a task and calls `reply` exactly once, from
    /// any thread (a thrown error as `.failure`, a 500 problem); it returns false, having started
    /// nothing, when it cannot (then the route's async handler answers).
    public typealias StartedHandler = @Sendable (HTTPRequest, _ reply: @escaping @Sendable (Result<HTTPResponse, any Error>) -> Void) -> Bool

    enum Kind: Sendable {
        case immediate(ImmediateHandler)
        case async(Handler)
        case started(StartedHandler, fallback: Handler)
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    /// A registered route (opaque outside the module). A class: a match hands it out on every
    /// request, and a reference is one count where the struct's five fields were five.
    public final class Route: Sendable {
        let method: String
        /// The pattern as registered (`/api/items/:id`), the route label of the metrics.
        public let pattern: String
        let segments: [Segment]
        let kind: Kind
        let bodyLimit: Int?

        init(method: String, pattern: String, segments: [Segment], kind: Kind, bodyLimit: Int?) {
            self.method = method
            self.pattern = pattern
            self.segments = segments
            self.kind = kind
            self.bodyLimit = bodyLimit
        }
    }

    public enum Match: Sendable {
        case found(Route, parameters: [String: String])
        case methodNotAllowed(allow: [String])
        case notFound
    }

    private var routes: [Route] = []
    /// Routes by their literal path (`/health`), while no route has a parameter: then a request
    /// path that is a key matches exactly these routes, and the scan over all routes is skipped.
    private var literalRoutes: [String: [Route]] = [:]
    private var hasParameterRoutes = false

    public init() {}

    private mutating func register(_ route: Route) {
        routes.append(route)
        if route.segments.contains(where: { if case .parameter = $0 { true } else { false } }) {
            hasParameterRoutes = true
        } else {
            literalRoutes["/" + route.segments.map { if case .literal(let l) = $0 { l } else { "" } }.joined(separator: "/"), default: []]
                .append(route)
        }
    }

    /// Adds a route answered immediately (no task hop): for probes and static answers.
    public mutating func add(_ method: String, _ pattern: String, bodyLimit: Int? = nil, immediate: @escaping ImmediateHandler) {
        register(Route(method: method, pattern: pattern, segments: Self.segments(pattern), kind: .immediate(immediate), bodyLimit: bodyLimit))
    }

    /// Adds a route answered by an async handler.
    public mutating func add(_ method: String, _ pattern: String, bodyLimit: Int? = nil, handler: @escaping Handler) {
        register(Route(method: method, pattern: pattern, segments: Self.segments(pattern), kind: .async(handler), bodyLimit: bodyLimit))
    }

    /// Adds a route whose responses start without a task when `started` can (see
    /// `StartedHandler`), and come from `handler` when it cannot.
    public mutating func add(_ method: String, _ pattern: String, bodyLimit: Int? = nil,
                             started: @escaping StartedHandler, handler: @escaping Handler) {
        register(Route(method: method, pattern: pattern, segments: Self.segments(pattern),
                       kind: .started(started, fallback: handler), bodyLimit: bodyLimit))
    }

    /// Every registered route as method and pattern, in registration order (the contract test
    /// holds openapi.yaml's paths to it).
    public var registered: [(method: String, pattern: String)] { routes.map { ($0.method, $0.pattern) } }

    static func segments(_ pattern: String) -> [Segment] {
        pattern.split(separator: "/", omittingEmptySubsequences: true).map {
            $0.hasPrefix(":") ? .parameter(String($0.dropFirst())) : .literal(String($0))
        }
    }

    /// The route for `method` and `path`, or why there is none.
    public func match(method: String, path: String) -> Match {
        var allowed: [String] = []
        if !hasParameterRoutes, let candidates = literalRoutes[path] {
            for route in candidates {
                if route.method == method || (method == "HEAD" && route.method == "GET") { return .found(route, parameters: [:]) }
                allowed.append(route.method)
            }
        } else {
            let parts = path.split(separator: "/", omittingEmptySubsequences: true)
            for route in routes {
                guard let parameters = Self.bind(route.segments, parts) else { continue }
                if route.method == method || (method == "HEAD" && route.method == "GET") {
                    return .found(route, parameters: parameters)
                }
                allowed.append(route.method)
            }
        }
        guard !allowed.isEmpty else { return .notFound }
        if allowed.contains("GET") { allowed.append("HEAD") }
        allowed.append("OPTIONS")
        return .methodNotAllowed(allow: Self.order(allowed))
    }

    static func bind(_ segments: [Segment], _ parts: [Substring]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let literal): guard literal == part else { return nil }
            case .parameter(let name): parameters[name] = String(part)
            }
        }
        return parameters
    }

    static func order(_ methods: [String]) -> [String] {
        let rank = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
        var seen = Set<String>()
        return methods.filter { seen.insert($0).inserted }
            .sorted { (rank.firstIndex(of: $0) ?? 99, $0) < (rank.firstIndex(of: $1) ?? 99, $1) }
    }
}
