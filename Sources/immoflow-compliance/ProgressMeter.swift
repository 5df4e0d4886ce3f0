import Export
import Foundation

/// One progress line on a terminal's stderr, rewritten in place at most twice a second: the
/// table, rows of the total, megabytes written, the rate and the time left (rows still to come
/// at the rate so far).
final class ProgressMeter: @unchecked Sendable {
    // @unchecked Sendable: the builder reports from one task at a time, in order.
    private let label: String
    private let started = Date()
    private var shown = Date.distantPast

    init(label: String) { self.label = label }

    func show(_ p: PackageBuilder.Progress) {
        let now = Date()
        guard now.timeIntervalSince(shown) >= 0.5 else { return }
        shown = now
        let seconds = max(0.001, now.timeIntervalSince(started))
        let rate = Double(p.rows) / seconds
        let left = rate > 0 ? Int(Double(max(0, p.totalRows - p.rows)) / rate) : 0
        let text = String(format: "\r%@: %@ %lld/%lld rows (%.0f%%), %.1f MB, %.1f MB/s, ETA %d:%02d   ", label, p.table, p.rows, p.totalRows,
                          p.totalRows > 0 ? 100 * Double(p.rows) / Double(p.totalRows) : 100, Double(p.bytes) / 1e6, Double(p.bytes) / 1e6 / seconds,
                          left / 60, left % 60)
        FileHandle.standardError.write(Data(text.utf8))
    }

    func done() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
