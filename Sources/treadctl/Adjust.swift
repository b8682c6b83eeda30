import ArgumentParser
import TreadCore
import TreadProtocol
import TreadFiles

/// `skip`, `extend`, `add-time`, `faster`, `slower`: change the running session. treadd checks
/// every change against the same limits as a program (a nudge never lifts a reverse segment
/// above the reverse cap) and moves the belt only through its usual stop, dwell and rails check.
struct Skip: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Skip to the next segment (a change of direction still stops, dwells and waits for the rails).")
    @OptionGroup var global: GlobalOptions
    func run() throws { try adjustSession(global, .sessionSkip, Params()) }
}

struct Extend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make the current segment longer.",
        discussion: "Examples:\n  treadctl extend 60s\n  treadctl extend 2m")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Time to add: 90s, 2m, 1m30s or 1:30 (at most 10 minutes).") var time: String
    func run() throws { try adjustSession(global, .sessionExtend, Params(seconds: try seconds(time))) }
}

struct AddTime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-time", abstract: "Make the session longer: the last segment (the cool-down) gets the time.",
        discussion: "Example:\n  treadctl add-time 5m")
    @OptionGroup var global: GlobalOptions
    @Argument(help: "Time to add: 90s, 2m, 1m30s or 1:30 (at most 10 minutes).") var time: String
    func run() throws { try adjustSession(global, .sessionAddTime, Params(seconds: try seconds(time))) }
}

struct Faster: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Raise the current segment's speed a little (refused above the machine's limit).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "km/h to add, at most 0.5.") var by: Double = 0.1
    func run() throws { try adjustSession(global, .sessionNudge, Params(kmh: by)) }
}

struct Slower: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Lower the current segment's speed a little (refused below the start speed).")
    @OptionGroup var global: GlobalOptions
    @Option(help: "km/h to take off, at most 0.5.") var by: Double = 0.1
    func run() throws { try adjustSession(global, .sessionNudge, Params(kmh: -by)) }
}

private func seconds(_ text: String) throws -> Double {
    guard let d = parseDuration(text) else { throw ValidationError("'\(text)' is not a duration; write e.g. 90s, 2m, 1m30s or 1:30") }
    return d.inSeconds
}

private func adjustSession(_ global: GlobalOptions, _ method: TreadProtocol.Method, _ params: Params) throws {
    try runReporting { () throws(CLIError) in
        let conn = try global.connect()
        _ = try conn.call(method, params)
        let s = try conn.call(.status).status
        print(s.map(StatusLine.describe) ?? "ok")
    }
}
