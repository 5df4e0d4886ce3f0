import HTTP1
import JCS

/// An RFC 9457 problem details object, the body of every error response
/// (`application/problem+json`). `type` is a stable URN per problem kind, `code` the same as a
/// short extension member for clients that switch on it.
public struct Problem: Error, Sendable, Equatable {
    public let status: Int
    public let code: String
    public let title: String
    public let detail: String?
    public var extensions: [String: CanonicalJSON] = [:]

    public init(status: Int, code: String, title: String? = nil, detail: String? = nil) {
        self.status = status
        self.code = code
        self.title = title ?? HTTPStatus.reason(status)
        self.detail = detail
    }

    public var type: String { "urn:immoflow:problem:\(code)" }

    public var json: String {
        var members: [String: CanonicalJSON] = [
            "type": .string(type), "title": .string(title), "status": .integer(Int64(status)), "code": .string(code),
        ]
        if let detail { members["detail"] = .string(detail) }
        for (k, v) in extensions where members[k] == nil { members[k] = v }
        return CanonicalJSON.object(members).text
    }

    /// The response carrying this problem.
    public func response(headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/problem+json", body: Array(json.utf8), headers: headers)
    }

    /// 400 `invalid_parameter` naming the query parameter (`parameter`) and what is wrong with it.
    public static func invalidParameter(_ name: String, _ why: String) -> Problem {
        var problem = Problem(status: 400, code: "invalid_parameter", detail: "\(name): \(why)")
        problem.extensions["parameter"] = .string(name)
        return problem
    }

    /// For an endpoint that takes no parameters: the 400 naming the first one given, or nil.
    public static func noParameters(_ query: String?) -> Problem? {
        guard let query, !query.isEmpty else { return nil }
        var problem = Problem(status: 400, code: "invalid_parameter", detail: "this endpoint takes no parameters")
        problem.extensions["parameter"] = .string(String(query.prefix(while: { $0 != "=" && $0 != "&" }).prefix(64)))
        return problem
    }

    /// Problems the server core raises, with a sentence for a human (the reason code stays in `code`).
    public static func forRefusal(status: Int, reason: String) -> Problem {
        let detail: String
        switch status {
        case 408: detail = "the request was not received in time"
        case 413: detail = "the request body is larger than this endpoint accepts"
        case 414: detail = "the request line is too long"
        case 417: detail = "only Expect: 100-continue is supported"
        case 431: detail = "the request header section is too large"
        case 501: detail = "this method or transfer coding is not implemented"
        case 505: detail = "only HTTP/1.0 and HTTP/1.1 are supported"
        default: detail = "the request is malformed (\(reason.replacingUnderscores()))"
        }
        return Problem(status: status, code: reason, detail: detail)
    }
}

extension String {
    func replacingUnderscores() -> String { String(map { $0 == "_" ? " " : $0 }) }
}
