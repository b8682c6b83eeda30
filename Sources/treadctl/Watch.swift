import ArgumentParser
import TreadProtocol

struct Watch: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Stream progress and events until interrupted.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print each message as a JSON line.")
    var json = false

    func run() throws {
        try runReporting { () throws(CLIError) in
            let conn = try global.connect()
            let first = try conn.call(.watch)
            if json {
                if let s = first.status { print(LineCoding.encode(ServerMessage(event: .progress, status: s))) }
                while true { print(LineCoding.encode(try conn.next())) }
            }
            try Follower(connection: conn).follow(untilEnd: false, first: first.status)
        }
    }
}
