import ArgumentParser

struct Members: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Members' sessions from the whole fleet.",
        subcommands: [MembersShow.self])
}
