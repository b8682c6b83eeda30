import ArgumentParser
import TreadProtocol

struct Programs: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List, show and validate programs.", subcommands: [List.self, Show.self, Validate.self], defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List programs with their length and backwards share.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() throws {
            try runReporting { () throws(CLIError) in
                let list = try global.connect().call(.programsList).programs ?? []
                if json { print(LineCoding.encode(list)); return }
                for p in list {
                    let minutes = Int(p.durationS) / 60, seconds = Int(p.durationS) % 60
                    let name = p.name.padding(toLength: 16)
                    print("\(name) \(minutes):\(seconds < 10 ? "0" : "")\(seconds)  \(Int((p.reverseShare * 100).rounded()))% backwards  \(p.title)")
                }
            }
        }
    }
}

extension String {
    func padding(toLength n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
