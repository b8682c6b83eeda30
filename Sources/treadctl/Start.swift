import ArgumentParser
import Foundation
import TreadProtocol

struct Start: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a program by name (from treadd's programs folder) or from a file.",
        discussion: "Examples:\n  treadctl start demo --follow\n  treadctl start ./my-intervals.toml")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A program name, or a path to a program file (contains '/' or ends in .toml).")
    var program: String

    @Option(help: "The member training (body mass for energy estimates, training-load warnings).")
    var member: String?

    @Flag(help: "Follow the session until it ends.")
    var follow = false

    func run() throws {
        try runReporting { () throws(CLIError) in
            var params: Params
            if program.contains("/") || program.hasSuffix(".toml") {
                guard let text = try? String(contentsOfFile: program, encoding: .utf8) else {
                    throw .usage("cannot read program file \(program)")
                }
                params = Params(programSource: ProgramSource(file: program, text: text))
            } else {
                params = Params(program: program)
            }
            params.member = member
            let conn = try global.connect()
            if follow {
                // Subscribe first so no event between start and watch is missed.
                _ = try conn.call(.watch)
            }
            let result = try conn.call(.start, params)
            for w in result.warnings ?? [] { FileHandle.standardError.write(Data("treadctl: warning: \(w)\n".utf8)) }
            if !follow {
                print(result.message ?? "started")
                return
            }
            try Follower(connection: conn).follow(untilEnd: true)
        }
    }
}
