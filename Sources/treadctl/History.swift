import ArgumentParser
import Foundation
import TreadProtocol

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Past sessions and weekly totals (time, distance, backwards share, estimated kcal); exports for Strava or Garmin.",
        discussion: "Examples:\n  treadctl history\n  treadctl history --member anna --json\n  treadctl history export 3f2a9c1d --format fit -o run.fit",
        subcommands: [List.self, Export.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Weekly totals, then the sessions (the first 8 characters of each id first) with their notes.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "Only this member's sessions.") var member: String?
        @Option(help: "How many recent sessions to list.") var limit: Int = 20
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try runReporting { () throws(CLIError) in
                let r = try global.connect().call(.historyList, Params(member: member, limit: limit))
                if json {
                    struct Out: Encodable { let sessions: [SessionInfo]; let weeks: [WeekTotals] }
                    print(LineCoding.encode(Out(sessions: r.sessions ?? [], weeks: r.weeks ?? [])))
                    return
                }
                HistoryTable.printWeeks(r.weeks ?? [])
                HistoryTable.printSessions(r.sessions ?? [])
            }
        }
    }
}

/// Plain tables for history and member output. Energy is always marked as an estimate.
enum HistoryTable {
    static func printWeeks(_ weeks: [WeekTotals]) {
        guard !weeks.isEmpty else { print("no sessions recorded"); return }
        print("week of      sessions  time     forward   backward  backwards  energy (estimate)")
        for w in weeks {
            print([w.week.padding(toLength: 12), "\(w.sessions)".padding(toLength: 9), StatusLine.clock(w.movingS).padding(toLength: 8),
                   km(w.forwardM).padding(toLength: 9), km(w.reverseM).padding(toLength: 9),
                   "\(Int((w.reverseShare * 100).rounded()))%".padding(toLength: 10), kcal(w.kcalEstimate)].joined(separator: " "))
        }
    }

    static func printSessions(_ sessions: [SessionInfo]) {
        guard !sessions.isEmpty else { return }
        print("")
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd HH:mm"
        for s in sessions {
            let when = f.string(from: Date(timeIntervalSince1970: s.startedAt))
            let moving = s.forwardS + s.reverseS
            print("\(s.id.prefix(8))  \(when)  \(s.program.padding(toLength: 18)) \(s.outcome.padding(toLength: 11)) \(StatusLine.clock(moving))  fwd \(km(s.forwardM))  back \(km(s.reverseM))  \(kcal(s.kcalEstimate))"
                  + (s.member.map { "  \($0)" } ?? ""))
            for n in s.notes { print("    \(n)") }
        }
    }

    static func km(_ m: Double) -> String { m < 1000 ? "\(Int(m.rounded())) m" : "\(StatusLine.kmh(m / 1000)) km" }
    static func kcal(_ k: Double?) -> String { k.map { "~\(Int($0.rounded())) kcal" } ?? "-" }
}
