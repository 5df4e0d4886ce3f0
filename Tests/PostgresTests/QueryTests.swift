import Postgres
import Testing

/// Interpolation turns values into `$n` placeholders; SQL text comes only from literals.
@Suite struct QueryTests {
    @Test func placeholders() {
        let name = "x'; DROP TABLE organizations; --"
        let q: Query = "SELECT * FROM t WHERE a = \(name) AND b = \(42) AND c IS \(Optional<Int>.none)"
        #expect(q.sql == "SELECT * FROM t WHERE a = $1 AND b = $2 AND c IS $3")
        #expect(q.bindings.count == 3)
        #expect(q.bindings[0].bytes == Array(name.utf8))
        #expect(q.bindings[1].type == .int8)
        #expect(q.bindings[2].bytes == nil)
        #expect(!q.description.contains("DROP"))
    }

    @Test("appended fragments are renumbered")
    func fragments() {
        var q: Query = "SELECT * FROM t WHERE a = \(1)"
        q.append(" AND b = \(2) AND c = \(3)")
        q.append(" LIMIT \(4)")
        #expect(q.sql == "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $3 LIMIT $4")
        #expect(q.bindings.map { String(decoding: $0.bytes ?? [], as: UTF8.self) } == ["1", "2", "3", "4"])
    }
}
