import HTTP1

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
        /// Its position in the router (`RequestRoute.index`).
        let index: Int
        let method: String
        /// The pattern as registered (`/api/items/:id`), the route label of the metrics.
        public let pattern: String
        let segments: [Segment]
        let kind: Kind
        let bodyLimit: Int?

        init(index: Int, method: String, pattern: String, segments: [Segment], kind: Kind, bodyLimit: Int?) {
            self.index = index
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
    /// path equal to one matches exactly its routes, and the scan over all routes is skipped. A
    /// list, not a dictionary: for a dozen paths, comparing (most differ in length) is cheaper
    /// than hashing the request's path.
    private var literalRoutes: [(path: String, routes: [Route])] = []
    private var hasParameterRoutes = false

    public init() {}

    private mutating func register(_ route: Route) {
        routes.append(route)
        if route.segments.contains(where: { if case .parameter = $0 { true } else { false } }) {
            hasParameterRoutes = true
        } else {
            let path = "/" + route.segments.map { if case .literal(let l) = $0 { l } else { "" } }.joined(separator: "/")
            if let k = literalRoutes.firstIndex(where: { $0.path == path }) {
                literalRoutes[k].routes.append(route)
            } else {
                literalRoutes.append((path, [route]))
            }
        }
    }

    /// Adds a route answered immediately (no task hop): for probes and static answers.
    public mutating func add(_ method: String, _ pattern: String, bodyLimit: Int? = nil, immediate: @escaping ImmediateHandler) {
        register(Route(index: routes.count, method: method, pattern: pattern, segments: Self.segments(pattern), kind: .immediate(immediate), bodyLimit: bodyLimit))
    }

    /// Adds a route answered by an async handler.
    public mutating func add(_ method: String, _ pattern: String, bodyLimit: Int? = nil, handler: @escaping Handler) {
        register(Route(index: routes.count, method: method, pattern: pattern, segments: Self.segments(pattern), kind: .async(handler), bodyLimit: bodyLimit))
    }

    /// Adds a route whose responses start without a task when `started` can (see
    /// `StartedHandler`), and come from `handler` when it cannot.
    public mutating func add(_ method: String, _ pattern: String, bodyLimit: Int? = nil,
                             started: @escaping StartedHandler, handler: @escaping Handler) {
        register(Route(index: routes.count, method: method, pattern: pattern, segments: Self.segments(pattern),
                       kind: .started(started, fallback: handler), bodyLimit: bodyLimit))
    }

    /// The route at `index` (`RequestRoute.index`), nil for none.
    func route(at index: Int) -> Route? {
        routes.indices.contains(index) ? routes[index] : nil
    }

    /// Every registered route as method and pattern, in registration order (the contract test
    /// holds openapi.yaml's paths to it).
    public var registered: [(method: String, pattern: String)] { routes.map { ($0.method, $0.pattern) } }

    static func segments(_ pattern: String) -> [Segment] {
        pattern.split(separator: "/", omittingEmptySubsequences: true).map {
            $0.hasPrefix(":") ? .parameter(String($0.dropFirst())) : .literal(String($0))
        }
    }

    /// The route for `method` and `path`, or why there is none. Paths match in their canonical
    /// form only: no empty segment (`//api/metrics`) and no trailing slash (`/api/metrics/`) —
    /// one spelling per resource, so that no check keyed by path can be passed by another
    /// spelling (docs/decisions.md).
    public func match(method: String, path: String) -> Match {
        var allowed: [String] = []
        if !hasParameterRoutes {
            // Every pattern is canonical, so an exact key is the canonical match.
            for route in literalRoutes.first(where: { $0.path == path })?.routes ?? [] {
                if route.method == method || (method == "HEAD" && route.method == "GET") { return .found(route, parameters: [:]) }
                allowed.append(route.method)
            }
        } else if let parts = Self.canonicalSegments(path) {
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

    /// The segments of a canonical path (`/` → none), nil for any other spelling.
    static func canonicalSegments(_ path: String) -> [Substring]? {
        guard path.first == "/" else { return nil }
        if path == "/" { return [] }
        let parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        return parts.contains(where: \.isEmpty) ? nil : parts
    }

    /// Methods some route has, for `OPTIONS *` (RFC 9110 §9.3.7): what the server as a whole
    /// supports, in the usual order.
    public var methods: [String] {
        var all = routes.map(\.method)
        if all.contains("GET") { all.append("HEAD") }
        all.append("OPTIONS")
        return Self.order(all)
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
