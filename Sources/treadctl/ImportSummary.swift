import Foundation
import TreadCore
import TreadWorkouts

/// What `programs import` prints and writes besides the program: the summary, the comment at
/// the top of the file, and treadd's problems traced back to .zwo lines. Pure, for tests.
enum ImportSummary {
    enum MachineCheck: Equatable {
        case withinLimits
        /// treadd was not reachable; the reason.
        case notChecked(String)
    }

    /// ./NAME.toml for NAME.zwo: next to where the command runs, never into the programs
    /// folder unasked (that is installing, which `-o` and `systemctl reload treadd` do).
    static func defaultOutput(for zwo: String) -> String {
        var base = (zwo as NSString).lastPathComponent
        if base.lowercased().hasSuffix(".zwo") { base = String(base.dropLast(4)) }
        let safe = String(base.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "-" })
        return "./" + (safe.isEmpty ? "imported" : safe) + ".toml"
    }

    /// The program's name, as treadd will call it: the file name without `.toml`.
    static func programName(_ path: String) -> String {
        let base = (path as NSString).lastPathComponent
        return base.hasSuffix(".toml") ? String(base.dropLast(5)) : base
    }

    static func comment(_ p: ImportedProgram, from zwo: String, options: ZwiftImport.Options) -> String {
        var lines = ["Imported by treadctl programs import from \((zwo as NSString).lastPathComponent) (Zwift run workout \"\(p.program.title)\")."]
        lines.append("Reference paces: " + paces(p))
        if options.reverseShare > 0 {
            lines.append("\(Int((options.reverseShare * 100).rounded()))% of each recovery backwards at up to \(options.reverseSpeed).")
        }
        return lines.joined(separator: "\n")
    }

    static func paces(_ p: ImportedProgram) -> String {
        let used = p.pacesUsed.sorted { $0.rawValue < $1.rawValue }
        guard !used.isEmpty else { return "none" }
        return used.compactMap { pace in
            p.paces.secondsPerKm(pace).map { "\(pace.label) \(ReferencePaces.format($0))" + (p.paces.given[pace] == nil ? " (derived, Riegel)" : "") }
        }.joined(separator: ", ")
    }

    static func render(_ p: ImportedProgram, from zwo: String, to out: String, machine: MachineCheck) -> String {
        let prog = p.program
        var lines = ["\(out): \(prog.title)"]
        lines.append("  \(prog.segments.count) segments, \(StatusLine.clock(prog.totalDuration.inSeconds)), "
                     + "\(Int((prog.reverseShare * 100).rounded()))% backwards (\(StatusLine.clock(prog.reverseDuration.inSeconds)))")
        lines.append("  paces: " + paces(p))
        switch machine {
        case .withinLimits: lines.append("  within this machine's limits (checked by treadd)")
        case .notChecked(let why): lines.append("  not checked against this machine's limits (\(why)); run treadctl programs validate \(out) on the machine")
        }
        let unmapped = p.notes.filter { $0.kind == .unmapped }, approximated = p.notes.filter { $0.kind == .approximated }
        if !unmapped.isEmpty {
            lines.append("  not imported (\(unmapped.count)):")
            lines += unmapped.map { "    " + $0.description(file: zwo) }
        }
        if !approximated.isEmpty {
            lines.append("  approximated (\(approximated.count)):")
            lines += approximated.map { "    " + $0.description(file: zwo) }
        }
        lines.append("  to install: copy it to treadd's programs folder (/etc/treadd/programs) and run systemctl reload treadd")
        return lines.joined(separator: "\n")
    }

    /// treadd names problems `file:line: segment N: message` by the rendered TOML; the member
    /// wrote the .zwo, so the segment's block and .zwo line are what to show.
    static func locate(_ problem: String, in p: ImportedProgram, zwo: String) -> String {
        guard let r = problem.range(of: ": segment ") else { return problem }
        let rest = problem[r.upperBound...]
        let digits = rest.prefix { $0.isNumber }
        guard let n = Int(digits), rest.dropFirst(digits.count).hasPrefix(": "), let origin = p.origin(ofSegment: n - 1) else { return problem }
        let message = rest.dropFirst(digits.count + 2)
        return "\(zwo):\(origin.line.map(String.init) ?? "?"): <\(origin.block)>: \(message)"
    }
}
