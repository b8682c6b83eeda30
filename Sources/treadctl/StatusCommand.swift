import ArgumentParser
import TreadProtocol

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show the treadmill's state.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func run() throws {
        try runReporting { () throws(CLIError) in
            guard let s = try global.connect().call(.status).status else { throw .protocolError("status reply without a status") }
            print(json ? LineCoding.encode(s) : StatusLine.describe(s))
        }
    }
}
