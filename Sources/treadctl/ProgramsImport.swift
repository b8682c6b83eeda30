import ArgumentParser
import Foundation
import TreadCore
import TreadFiles
import TreadProtocol
import TreadWorkouts

extension Programs {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn a Zwift run workout (.zwo) into a program file, checked like any program.",
            discussion: """
                Blocks run at a share of a reference pace: give yours (others are derived from it).
                With --reverse-share, that share of each recovery is walked backwards first.
                Ramps become steady steps. Every block not imported is listed with its line.
                The program is checked by treadd against this machine's limits; nothing is
                written if it cannot run here, nor over an existing file without --force.
                Examples:
                  treadctl programs import tempo.zwo --pace-5k 6:00/km
                  treadctl programs import intervals.zwo --pace-10k 5:40/km --reverse-share 0.1 \\
                      -o /etc/treadd/programs/intervals.toml && systemctl reload treadd
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "A Zwift workout file (.zwo) with <sportType>run</sportType>.") var file: String
        @Option(name: .customLong("pace-mile"), help: "Your 1-mile pace, e.g. 4:50/km or 7:46/mi.") var paceMile: String?
        @Option(name: .customLong("pace-5k"), help: "Your 5k pace, e.g. 6:00/km.") var pace5k: String?
        @Option(name: .customLong("pace-10k"), help: "Your 10k pace.") var pace10k: String?
        @Option(name: .customLong("pace-half"), help: "Your half-marathon pace.") var paceHalf: String?
        @Option(name: .customLong("pace-marathon"), help: "Your marathon pace.") var paceMarathon: String?
        @Option(name: .customLong("reverse-share"), help: "Share of each recovery walked backwards, 0 to 1 (beginners: 0.05-0.1).")
        var reverseShare: Double = 0
        @Option(name: .customLong("reverse-kmh"), help: "Backwards walking speed (never above the recovery's speed).") var reverseKmh: Double = 2.0
        @Option(name: [.short, .customLong("output")], help: "Program file to write (default: ./NAME.toml, NAME from the .zwo file).")
        var output: String?
        @Flag(help: "Overwrite the output file if it exists.") var force = false

        func run() throws {
            let paces: ReferencePaces
            do { paces = try referencePaces() } catch { throw fail(error.description, .usage) }
            guard let data = FileManager.default.contents(atPath: file) else { throw fail("cannot read workout file \(file)", .usage) }
            let out = output ?? ImportSummary.defaultOutput(for: file)
            if FileManager.default.fileExists(atPath: out), !force {
                throw fail("\(out) exists; not overwritten (use --force, or -o another file)", .refused)
            }
            let options = ZwiftImport.Options(name: ImportSummary.programName(out), paces: paces, reverseShare: reverseShare, reverseSpeed: .kmh(reverseKmh))
            let imported: ImportedProgram
            do {
                imported = try ZwiftImport.program(from: try ZwiftWorkoutFile.read(data, file: file), file: file, options: options)
            } catch {
                if case .badOption = error { throw fail(error.description, .usage) }
                throw fail(error.description, .refused)
            }
            let text = ProgramFile.render(imported.program, comment: ImportSummary.comment(imported, from: file, options: options))
            // The same loader as every program file: what is written must read back as imported.
            do {
                let reread = try ProgramFile.parse(text, file: out)
                guard reread.segments.count == imported.program.segments.count else {
                    throw fail("internal error: the rendered program reads back with \(reread.segments.count) segments, not \(imported.program.segments.count)", .refused)
                }
            } catch let e as FileErrors {
                throw fail("internal error: the rendered program does not read back:\n" + e.description, .refused)
            }
            let machine = try checkWithDaemon(text, out: out, imported)
            do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch {
                throw fail("cannot write \(out): \(error.localizedDescription)", .refused)
            }
            print(ImportSummary.render(imported, from: file, to: out, machine: machine))
        }

        /// treadd's `programs.validate`: the machine's own limits. Problems are named by the
        /// .zwo block that produced the segment; the daemon being away is not a failure, only said.
        private func checkWithDaemon(_ text: String, out: String, _ imported: ImportedProgram) throws -> ImportSummary.MachineCheck {
            do {
                guard let d = try global.connect().call(.programsValidate, Params(programSource: ProgramSource(file: out, text: text))).program else {
                    throw CLIError.protocolError("programs.validate reply without a program")
                }
                guard d.problems.isEmpty else {
                    let located = d.problems.map { ImportSummary.locate($0, in: imported, zwo: file) }
                    throw fail((["\(file): cannot run on this machine; nothing written:"] + located.map { "  " + $0 }).joined(separator: "\n"), .refused)
                }
                return .withinLimits
            } catch let e as CLIError {
                if case .notRunning = e { return .notChecked(e.description) }
                throw fail(e.description, e.exitStatus)
            }
        }

        private func referencePaces() throws(CLIError) -> ReferencePaces {
            var given: [ZwiftPace: Double] = [:]
            for (pace, text) in [(ZwiftPace.mile, paceMile), (.fiveK, pace5k), (.tenK, pace10k), (.halfMarathon, paceHalf), (.marathon, paceMarathon)] {
                guard let text else { continue }
                guard let s = ReferencePaces.parse(text) else {
                    throw .usage("--pace-\(pace.optionSuffix) \(text): write a pace as M:SS/km or M:SS/mi, e.g. 6:00/km")
                }
                given[pace] = s
            }
            return ReferencePaces(given)
        }

        private func fail(_ message: String, _ status: ExitStatus) -> ExitCode {
            FileHandle.standardError.write(Data("treadctl: \(message)\n".utf8))
            return ExitCode(status.rawValue)
        }
    }
}

extension ZwiftPace {
    var optionSuffix: String {
        switch self {
        case .mile: return "mile"
        case .fiveK: return "5k"
        case .tenK: return "10k"
        case .halfMarathon: return "half"
        case .marathon: return "marathon"
        }
    }
}
