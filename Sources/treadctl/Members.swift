import ArgumentParser
import TreadProtocol

struct Members: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Member profiles: name, body mass (for energy estimates) and level.",
        discussion: "Examples:\n  treadctl members add anna --mass 62 --level beginner\n  treadctl members list\n  treadctl members show anna\n  treadctl start week1-first-steps --member anna",
        subcommands: [Add.self, List.self, Show.self], defaultSubcommand: List.self)

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a member.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The member's name.") var name: String
        @Option(help: "Body mass in kg (needed for energy estimates).") var mass: Double?
        @Option(help: "beginner, intermediate or advanced.") var level: String = "beginner"
        func run() throws {
            try runReporting { () throws(CLIError) in
                let r = try global.connect().call(.membersAdd, Params(member: name, bodyMassKg: mass, level: level))
                print(r.message ?? "added")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List members.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try runReporting { () throws(CLIError) in
                let list = try global.connect().call(.membersList).members ?? []
                if json { print(LineCoding.encode(list)); return }
                if list.isEmpty { print("no members yet; add one with: treadctl members add NAME --mass KG") }
                for m in list { print(Members.line(m)) }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a member with recent sessions and weekly totals.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The member's name.") var name: String
        @Flag(help: "Print JSON.") var json = false
        func run() throws {
            try runReporting { () throws(CLIError) in
                let r = try global.connect().call(.membersShow, Params(member: name))
                if json { print(LineCoding.encode(r)); return }
                if let m = r.members?.first { print(Members.line(m)) }
                HistoryTable.printWeeks(r.weeks ?? [])
                HistoryTable.printSessions(r.sessions ?? [])
            }
        }
    }

    static func line(_ m: MemberInfo) -> String {
        "\(m.name.padding(toLength: 20)) \(m.bodyMassKg.map { "\(StatusLine.kmh($0)) kg" } ?? "mass unknown")  \(m.level)"
    }
}
