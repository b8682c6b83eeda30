import ArgumentParser
import Foundation
import TreadCore
import TreadFiles
import TreadTraining

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a progression across weeks: one program file per week.",
        discussion: """
            The backwards share grows evenly from --start-reverse to --target-reverse; the session
            length grows by at most 10% a week (--growth). Each week is a warm-up, reverse/forward
            intervals and a cool-down. Copy the files into treadd's programs folder and reload.

            Example:
              treadctl plan --weeks 8 --sessions-per-week 3 --minutes 30 --out /etc/treadd/programs
            """)

    @Option(help: "Number of weeks (one program each).") var weeks: Int
    @Option(name: .customLong("sessions-per-week"), help: "Sessions a week.") var sessionsPerWeek: Int
    @Option(help: "Session length in week 1, in minutes.") var minutes: Int
    @Option(name: .customLong("start-reverse"), help: "Backwards share in week 1 (0.05 = 5%).") var startReverse: Double = 0.05
    @Option(name: .customLong("target-reverse"), help: "Backwards share in the last week.") var targetReverse: Double = 0.40
    @Option(help: "Week-on-week growth of session length, at most 0.10.") var growth: Double = 0.10
    @Option(name: .customLong("forward-kmh"), help: "Forward interval speed.") var forwardKmh: Double = 5.0
    @Option(name: .customLong("reverse-kmh"), help: "Backwards interval speed.") var reverseKmh: Double = 2.5
    @Option(help: "File name prefix: NAME-week01.toml ...") var name: String = "plan"
    @Option(help: "Folder to write the files to.") var out: String = "."

    func run() throws {
        var o = Progression.Options(weeks: weeks, sessionsPerWeek: sessionsPerWeek, minutes: minutes)
        o.startReverse = startReverse
        o.targetReverse = targetReverse
        o.weeklyGrowth = growth
        o.forwardSpeed = .kmh(forwardKmh)
        o.reverseSpeed = .kmh(reverseKmh)
        o.name = name
        let programs: [Program]
        do { programs = try Progression.plan(o) } catch {
            FileHandle.standardError.write(Data("treadctl: \(error.description)\n".utf8))
            throw ExitCode(64)
        }
        do { try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
            FileHandle.standardError.write(Data("treadctl: cannot create \(out): \(error.localizedDescription)\n".utf8))
            throw ExitCode(1)
        }
        for p in programs {
            let path = (out as NSString).appendingPathComponent(p.name + ".toml")
            let text = ProgramFile.render(p, comment: "Written by treadctl plan: \(p.title).\n\(sessionsPerWeek) sessions a week; check with: treadctl programs validate \(path)")
            do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
                FileHandle.standardError.write(Data("treadctl: cannot write \(path): \(error.localizedDescription)\n".utf8))
                throw ExitCode(1)
            }
            let weekly = Int(p.totalDuration.inSeconds) * sessionsPerWeek / 60
            print("\(path)  \(StatusLine.clock(p.totalDuration.inSeconds))  \(Int((p.reverseShare * 100).rounded()))% backwards  \(weekly) min a week")
        }
    }
}
