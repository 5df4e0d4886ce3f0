import HTTP1
import HTTPRouting

/// `GET /openapi.yaml`: the contract this server implements (OpenAPI 3.1), as shipped beside the
/// binary. Open, like the probes: it describes the API, it holds no data. `application/yaml`
/// (RFC 9512).
public struct OpenAPIEndpoint: Sendable {
    let document: [UInt8]?

    /// `document`: the file's bytes, or nil when it was not found (then 404 saying so).
    public init(document: [UInt8]?) { self.document = document }

    public func register(in router: inout Router) {
        let response: HTTPResponse
        if let document {
            response = HTTPResponse(status: 200, contentType: "application/yaml", body: document)
        } else {
            response = Problem(status: 404, code: "contract_not_installed",
                               detail: "openapi.yaml was not found beside this server (IMMOFLOW_OPENAPI_FILE)").response()
        }
        router.add("GET", "/openapi.yaml", immediate: { _ in response })
    }
}
