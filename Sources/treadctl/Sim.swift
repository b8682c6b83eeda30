import ArgumentParser
import TreadProtocol

struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change simulated inputs (refused on a machine with real inputs).", subcommands: [Set.self])

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set simulated inputs.",
            discussion: "Inputs: rail_left, rail_right (held|released), estop (closed|open), safety_key (closed|open).\nExample: treadctl sim set rail_left=held rail_right=held")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "One or more INPUT=VALUE pairs.") var assignments: [String]

        func run() throws {
            try runReporting { () throws(CLIError) in
                let conn = try global.connect()
                for a in assignments {
                    let parts = a.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { throw .usage("expected INPUT=VALUE, got '\(a)'") }
                    print(try conn.call(.simSet, Params(input: parts[0], value: parts[1])).message ?? a)
                }
            }
        }
    }
}
