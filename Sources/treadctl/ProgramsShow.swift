import ArgumentParser
import Foundation
import TreadCore
import TreadProtocol
import TreadFiles

extension Programs {
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a program: a table of segments and a timeline of direction and speed.",
            discussion: "Examples:\n  treadctl programs show week1-first-steps\n  treadctl programs show target-40-60 --member anna")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A program name (from treadd's programs folder).") var name: String
        @Option(help: "Estimate energy for this member's body mass.") var member: String?
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try runReporting { () throws(CLIError) in
                guard let d = try global.connect().call(.programsShow, Params(program: name, member: member)).program else {
                    throw .protocolError("programs.show reply without a program")
                }
                if json { print(LineCoding.encode(d)); return }
                print(ProgramTable.render(d))
            }
        }
    }

    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a program file: its format, and, when treadd is reachable, this machine's limits.",
            discussion: "Every problem is listed as file:line: what is wrong. Exit 0 when the program can run, 1 when it cannot.\nExample:\n  treadctl programs validate ./my-intervals.toml")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A program file.") var file: String

        func run() throws {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                FileHandle.standardError.write(Data("treadctl: cannot read program file \(file)\n".utf8))
                throw ExitCode(64)
            }
            // The format is checked here, so a file can be checked with no treadd at hand.
            do { _ = try ProgramFile.parse(text, file: file) } catch {
                print(error.description)
                throw ExitCode(1)
            }
            let detail: ProgramDetail
            do {
                guard let d = try global.connect().call(.programsValidate, Params(programSource: ProgramSource(file: file, text: text))).program else {
                    throw CLIError.protocolError("programs.validate reply without a program")
                }
                detail = d
            } catch let e as CLIError {
                if case .notRunning = e {
                    print("\(file): format OK; not checked against the machine's limits (\(e.description))")
                    return
                }
                FileHandle.standardError.write(Data("treadctl: \(e.description)\n".utf8))
                throw ExitCode(e.exitStatus.rawValue)
            }
            if detail.problems.isEmpty {
                print("\(file): OK (\(StatusLine.clock(detail.summary.durationS)), \(Int((detail.summary.reverseShare * 100).rounded()))% backwards, within this machine's limits)")
            } else {
                for p in detail.problems { print(p) }
                throw ExitCode(1)
            }
        }
    }
}

/// The text rendering of `programs show`: a segment table, then a timeline with one mark per
/// `step` of time: `>` forward, `<` backwards; its height is the speed.
enum ProgramTable {
    static func render(_ d: ProgramDetail, width: Int = 60) -> String {
        var lines: [String] = []
        let s = d.summary
        lines.append("\(s.name): \(s.title)")
        lines.append("\(StatusLine.clock(s.durationS)), \(s.segments) segments, \(Int((s.reverseShare * 100).rounded()))% backwards, "
                     + "\(HistoryTable.km(d.forwardM)) forwards, \(HistoryTable.km(d.reverseM)) backwards"
                     + (d.energyKcalEstimate.map { ", ~\(Int($0.rounded())) kcal (estimate)" } ?? ""))
        lines.append("")
        let withEnergy = d.segments.contains { $0.energyKcalEstimate != nil }
        lines.append("  #  role      direction  km/h  time   incline" + (withEnergy ? "  kcal(est)" : "") + "  message")
        for g in d.segments {
            lines.append((["\(g.index)".leftPad(3),
                          g.role.padding(toLength: 9), g.direction.padding(toLength: 10), StatusLine.kmh(g.speedKmh).leftPad(4),
                          StatusLine.clock(g.durationS).leftPad(6), (g.inclinePct.map { "\(StatusLine.kmh($0))%" } ?? "-").leftPad(7)]
                         + (withEnergy ? [(g.energyKcalEstimate.map { "~\(StatusLine.kmh($0))" } ?? "-").leftPad(9)] : [])
                         + [g.message ?? ""]).joined(separator: "  "))
        }
        lines.append("")
        lines.append(contentsOf: timeline(d, width: width))
        if !d.problems.isEmpty {
            lines.append("")
            lines.append("cannot run on this machine:")
            lines += d.problems.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// Rows from the top speed down; a column per slice of time.
    static func timeline(_ d: ProgramDetail, width: Int) -> [String] {
        let total = d.summary.durationS
        guard total > 0, !d.segments.isEmpty else { return [] }
        var cols: [(dir: String, kmh: Double)] = []
        for c in 0..<width {
            let t = (Double(c) + 0.5) * total / Double(width)
            var acc = 0.0
            var pick = d.segments.last!
            for g in d.segments {
                if t < acc + g.durationS { pick = g; break }
                acc += g.durationS
            }
            cols.append((pick.direction, pick.speedKmh))
        }
        let top = max(1, Int(cols.map(\.kmh).max()!.rounded(.up)))
        var rows: [String] = []
        for level in stride(from: top, through: 1, by: -1) {
            let row = cols.map { $0.kmh >= Double(level) - 0.5 ? ($0.dir == "reverse" ? "<" : ">") : " " }.joined()
            rows.append("\("\(level)".leftPad(3)) km/h |\(row)")
        }
        rows.append("         +" + String(repeating: "-", count: width))
        rows.append("          0" + StatusLine.clock(total).leftPad(width - 1) + "   > forward  < backwards")
        return rows
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
