import ArgumentParser
import Foundation
import Logging
import TreadCore
import TreadDaemon

/// `treadbench history`: what recording history costs the control thread. Times every
/// `HistoryWriter.offer` (the only call the control loop makes) with a working database and
/// with a "disk" that never answers, and the writer's throughput to SQLite.
struct HistoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Time HistoryWriter.offer with a working and a stuck database; writer throughput.")

    @Option(help: "Records offered in each run.") var records: Int = 100_000
    @Option(help: "The writer's buffer (treadd's [history] queue).") var capacity: Int = 4096

    func run() throws {
        var logger = Logger(label: "bench.history")
        logger.logLevel = .critical
        let dir = NSTemporaryDirectory() + "treadbench-history-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var tally = SessionTally(massKnown: true)
        tally.forwardDistance = 1234
        let record = HistoryRecord.checkpoint(sessionID: "bench", at: 1, tally: tally)

        // Working disk: offer at full speed; what does not fit is dropped, as in treadd.
        let working = HistoryWriter(path: dir + "/history.sqlite", capacity: capacity, logger: logger)
        working.start()
        _ = working.drain(timeout: .seconds(5))
        let (okTimes, okAccepted) = timeOffers(working, record)
        let t0 = monotonicNanos()
        let drained = working.drain(timeout: .seconds(120))
        let drainSeconds = Double(monotonicNanos() - t0) / 1e9
        working.close()

        // Stuck disk: open never returns; every offer after the buffer fills is a drop.
        let gate = DispatchSemaphore(value: 0)
        let stuck = HistoryWriter(path: dir + "/stuck.sqlite", capacity: capacity, logger: logger) { p throws(HistoryError) in
            gate.wait()
            throw HistoryError(path: p, message: "benchmark over")
        }
        stuck.start()
        let (stuckTimes, stuckAccepted) = timeOffers(stuck, record)
        let dropped = stuck.health.dropped
        gate.signal()
        stuck.close(timeout: .seconds(1))

        func row(_ name: String, _ t: [UInt64]) -> [Row] {
            let s = t.sorted()
            func q(_ p: Double) -> Double { Double(s[min(s.count - 1, Int(Double(s.count) * p))]) / 1000 }
            return [Row(metric: "\(name) offer p50", value: String(format: "%.2f us", q(0.5)), target: "", met: nil),
                    Row(metric: "\(name) offer p99", value: String(format: "%.2f us", q(0.99)), target: "", met: nil),
                    Row(metric: "\(name) offer max", value: String(format: "%.2f us", Double(s.last!) / 1000),
                        target: "< 1 ms (control period 40 ms)", met: Double(s.last!) < 1e6)]
        }
        // The same loop with nothing in it: its maximum is what the scheduler alone adds.
        var baseline = [UInt64]()
        baseline.reserveCapacity(records)
        for _ in 0..<records {
            let a = monotonicNanos()
            baseline.append(monotonicNanos() - a)
        }
        var rows = row("working", okTimes) + row("stuck", stuckTimes)
        rows.append(Row(metric: "empty loop max (scheduler)", value: String(format: "%.2f us", Double(baseline.max()!) / 1000), target: "", met: nil))
        rows.append(Row(metric: "working: accepted / offered", value: "\(okAccepted) / \(records)", target: "", met: nil))
        rows.append(Row(metric: "working: writer drained in", value: String(format: "%.2f s (%.0f records/s)", drainSeconds, Double(okAccepted) / max(drainSeconds, 1e-9)),
                        target: "", met: drained))
        rows.append(Row(metric: "stuck: accepted, dropped", value: "\(stuckAccepted), \(dropped)", target: "accepted = buffer",
                        met: stuckAccepted == capacity && dropped == records - capacity))
        print(renderTable(rows), terminator: "")
        print(machineLine(machineInfo()))
    }

    private func timeOffers(_ w: HistoryWriter, _ r: HistoryRecord) -> ([UInt64], Int) {
        var times = [UInt64]()
        times.reserveCapacity(records)
        var accepted = 0
        for _ in 0..<records {
            let a = monotonicNanos()
            if w.offer(r) { accepted += 1 }
            times.append(monotonicNanos() - a)
        }
        return (times, accepted)
    }
}
