import ArgumentParser
import Foundation
import TreadCore
import TreadDaemon

/// `treadbench fleet-sessions`: writes finished sessions into a history database the way
/// treadd's history writer does (each with its outbox entry, in one transaction), for the
/// fleet benchmark (benchmarks/fleet_figures.py): a backlog at once, or paced, each ending
/// at the moment it is written, so the central row's delay can be measured from `ended_at`.
struct FleetSessionsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet-sessions", abstract: "Write finished sessions (and their outbox entries) into a history database.")

    @Option(help: "The history database (created if missing).") var history: String
    @Option(help: "How many sessions.") var count: Int = 10_000
    @Option(help: "Sessions a second; 0 writes them all at once (a backlog).") var rate: Double = 0
    @Option(help: "The sessions' title, to tell one batch from another at the centre.") var title = "Fleet benchmark"
    @Option(help: "Members the sessions are for, in turn (bench-1, bench-2, ...): a gym's sessions are many members'.") var members = 200

    func validate() throws {
        guard count > 0, count <= 1_000_000 else { throw ValidationError("--count must be 1...1000000") }
        guard rate >= 0, rate <= 10_000 else { throw ValidationError("--rate must be 0...10000") }
        guard members >= 1 else { throw ValidationError("--members must be at least 1") }
    }

    func run() throws {
        let store = try HistoryStore(path: history)
        var tally = SessionTally()
        tally.forwardTime = .seconds(1500)
        tally.reverseTime = .seconds(300)
        tally.forwardDistance = 2500
        tally.reverseDistance = 250
        let t0 = Date().timeIntervalSince1970
        for i in 0..<count {
            if rate > 0 {
                let due = t0 + Double(i) / rate
                let wait = due - Date().timeIntervalSince1970
                if wait > 0 { Thread.sleep(forTimeInterval: wait) }
            }
            let end = Date().timeIntervalSince1970
            let id = UUID().uuidString.lowercased()
            try store.write([
                .sessionStarted(.init(id: id, program: "bench", title: title, member: "bench-\(i % members + 1)", at: end - 1800,
                                      planned: .seconds(1800), plannedReverse: .seconds(300))),
                .sessionEnded(sessionID: id, at: end, outcome: .finished, tally: tally),
            ])
        }
        progress("fleet-sessions: \(count) sessions written to \(history) in \(String(format: "%.2f", Date().timeIntervalSince1970 - t0)) s")
    }
}
