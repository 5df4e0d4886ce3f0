import XML
/// An S3 request that failed: the HTTP status and S3's error `<Code>` (asserted on, never the
/// message: servers word messages differently), with its message and request ID. A HEAD
/// answer has no body; its code comes from the status.
public struct S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    public let status: Int
    public let code: String
    public let message: String
    public let requestID: String?

    public init(status: Int, code: String, message: String = "", requestID: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.requestID = requestID
    }

    /// Reads an error answer: `<Error><Code>…</Code><Message>…</Message><RequestId>…</RequestId></Error>`;
    /// a body that is not one (empty, HTML from a proxy) gives the status's own code.
    public init(status: Int, body: [UInt8]) {
        if !body.isEmpty, case .success(let document) = XMLReader.parse(body), document.name == "Error",
           let code = document.value("Code")?.trimmed, !code.isEmpty {
            self.init(status: status, code: code, message: document.value("Message")?.trimmed ?? "",
                      requestID: document.value("RequestId")?.trimmed)
        } else {
            self.init(status: status, code: Self.code(forStatus: status))
        }
    }

    /// The code S3 would give a body-less answer of `status`.
    static func code(forStatus status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 400: "BadRequest"
        case 403: "AccessDenied"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 409: "Conflict"
        case 412: "PreconditionFailed"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }

    /// The object or version does not exist (404; `NoSuchKey`, `NoSuchVersion` — a HEAD has no
    /// body, so only its status says it).
    public var isMissingObject: Bool {
        code == "NoSuchKey" || code == "NoSuchVersion" || (status == 404 && code == "NotFound")
    }

    /// Worth another try after a pause: the server's trouble (500, 502, 503, 504, `SlowDown`,
    /// `InternalError`, `RequestTimeout`), never a refusal of the request itself (4xx).
    public var isRetryable: Bool {
        switch status {
        case 500, 502, 503, 504: true
        default: code == "SlowDown" || code == "RequestTimeout" || code == "InternalError"
        }
    }

    public var description: String {
        "s3 answered \(status) \(code)" + (message.isEmpty ? "" : ": \(message)") + (requestID.map { " (request id \($0))" } ?? "")
    }
}
