import ArgumentParser
import TreadProtocol

struct Programs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List, show, validate and import programs.", subcommands: [List.self, Show.self, Validate.self, Import.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List programs with their length and backwards share.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try runReporting { () throws(CLIError) in
                let list = try global.connect().call(.programsList).programs ?? []
                if json { print(LineCoding.encode(list)); return }
                for line in describe(list) { print(line) }
            }
        }
    }
}

/// One line a program, in columns: name, length, backwards share, title.
func describe(_ list: [ProgramSummary]) -> [String] {
    let nameWidth = max(16, list.map(\.name.count).max() ?? 0)
    return list.map { p in
        let length = StatusLine.clock(p.durationS)
        let share = "\(Int((p.reverseShare * 100).rounded()))%"
        return "\(p.name.padding(toLength: nameWidth))  \(String(repeating: " ", count: max(0, 6 - length.count)))\(length)  "
            + "\(String(repeating: " ", count: max(0, 4 - share.count)))\(share) backwards  \(p.title)"
    }
}

extension String {
    func padding(toLength n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
