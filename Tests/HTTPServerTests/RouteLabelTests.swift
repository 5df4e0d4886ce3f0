import ComplianceTesting
import HTTPServer
import Testing

/// The route label of `http_requests_total` (by route pattern, never the raw path, so the series
/// stay bounded) as it comes out of each way a request can be answered.
@Suite struct RouteLabelTests {
    @Test("immediate, async, started and parameterised routes count under their pattern; 404, 405, 501 as unmatched; a core refusal as unparsed")
    func labels() async throws {
        let server = try TestServer.start()
        try await RawHTTPClient.offload {
            let c = try server.client()
            for target in ["/health", "/items/42", "/items/43", "/started?ms=0", "/started?decline", "/started?fail", "/fail", "/nowhere"] {
                try c.send("GET \(target) HTTP/1.1\r\nHost: t\r\n\r\n")
                _ = try c.readResponse()
            }
            try c.send("HEAD /health HTTP/1.1\r\nHost: t\r\n\r\n")
            _ = try c.readResponse(head: true)
            try c.send("DELETE /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try c.readResponse().status == 405)
            try c.send("BREW /health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(try c.readResponse().status == 501)
            // Refused by the core before any route is asked: no head, so no route.
            let bad = try server.client()
            try bad.send("GET /health HTTP/1.1\r\nHost: t\r\nBad Name: x\r\n\r\n")
            #expect(try bad.readResponse().status == 400)
        }
        // The refusal is counted once its connection has written it.
        #expect(await eventually(within: 3) { server.application.metrics.render().contains(#"route="unparsed""#) })
        let text = server.application.metrics.render()
        for line in [#"{route="/health",method="GET",status="200"} 1"#,
                     #"{route="/health",method="HEAD",status="200"} 1"#,
                     #"{route="/items/:id",method="GET",status="200"} 2"#,
                     #"{route="/started",method="GET",status="200"} 2"#,
                     #"{route="/started",method="GET",status="500"} 1"#,
                     #"{route="/fail",method="GET",status="500"} 1"#,
                     #"{route="unmatched",method="GET",status="404"} 1"#,
                     #"{route="unmatched",method="DELETE",status="405"} 1"#,
                     #"{route="unmatched",method="other",status="501"} 1"#,
                     #"{route="unparsed",method="other",status="400"} 1"#] {
            #expect(text.contains("http_requests_total" + line), "missing \(line) in\n\(text)")
        }
        #expect(!text.contains("/items/42"))
        await server.stop()
    }
}
