import Foundation
import JCS

extension RestoreTest.Outcome {
    /// The outcome as JSON: verdict, label, error, durations, the exercise's steps, dr check's report.
    public var json: CanonicalJSON {
        var members: [String: CanonicalJSON] = [
            "succeeded": .bool(succeeded), "label": label.map(CanonicalJSON.string) ?? .null, "error": error.map(CanonicalJSON.string) ?? .null,
            "durations": .object(Dictionary(uniqueKeysWithValues: durations.map { ($0.0, .string(String(format: "%.3f", $0.1))) })),
            "steps": .array(steps.map { .object(["name": .string($0.name), "ok": .bool($0.ok), "detail": .string($0.detail)]) }),
        ]
        if let report { members["report"] = report.json }
        return .object(members)
    }

    /// The report for the ops team: the verdict and timings first, then the steps and dr check's report.
    public func markdown(title: String) -> String {
        var md = "# \(title): \(succeeded ? "passed" : "FAILED")\n\n"
        if let label { md += "- backup set: \(label)\n" }
        if let error { md += "- why it failed: \(error)\n" }
        md += "- " + durations.map { "\($0.0.replacingOccurrences(of: "_seconds", with: "")) \(String(format: "%.1f", $0.1)) s" }.joined(separator: ", ") + "\n\n"
        if !steps.isEmpty {
            md += "## Exercise\n\n| step | result | detail |\n|---|---|---|\n"
            for s in steps { md += "| \(s.name) | \(s.ok ? "ok" : "FAILED") | \(s.detail.replacingOccurrences(of: "|", with: "/")) |\n" }
            md += "\n"
        }
        if let report {
            // dr check's own report, one heading level down.
            md += report.markdown.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix("#") ? "#" + $0 : String($0) }.joined(separator: "\n")
        }
        return md
    }

    /// One line for a chat channel (a Slack-compatible webhook's `text`).
    public func summary(title: String) -> String {
        let total = durations.first { $0.0 == "total_seconds" }.map { String(format: "%.0f s", $0.1) } ?? "?"
        return "\(succeeded ? "✅" : "❌") \(title) \(succeeded ? "passed" : "FAILED")" + (label.map { ", backup set \($0)" } ?? "")
            + ", total \(total) (RTO target 2 h)" + (error.map { ": \($0)" } ?? "")
    }
}
