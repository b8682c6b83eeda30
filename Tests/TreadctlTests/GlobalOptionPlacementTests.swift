import ArgumentParser
import Testing
@testable import treadctl

/// `--socket` and `--json` typed before the subcommand (`treadctl --socket PATH status`) are
/// read as if typed after it, by the real argument parser; everything else is left as typed.
@Suite struct GlobalOptionPlacementTests {
    /// What treadctl's `main` parses for a command line.
    func parsed(_ line: [String]) throws -> ParsableCommand {
        try Treadctl.parseAsRoot(LeadingGlobalOptions.movedAfterSubcommand(line))
    }

    @Test(arguments: [["--socket", "/tmp/a.sock", "status"], ["--socket=/tmp/a.sock", "status"],
                      ["status", "--socket", "/tmp/a.sock"], ["--json", "--socket", "/tmp/a.sock", "status"],
                      ["--socket", "/tmp/a.sock", "status", "--json"]])
    func theSocketIsReadWhereverItIsTyped(line: [String]) throws {
        let command = try #require(try parsed(line) as? StatusCommand)
        #expect(command.global.socketPath == "/tmp/a.sock")
        #expect(command.json == line.contains("--json"))
    }

    @Test func jsonBeforeANestedSubcommandReachesIt() throws {
        let command = try #require(try parsed(["--json", "--socket", "/s", "programs", "list"]) as? Programs.List)
        #expect(command.global.socketPath == "/s")
    }

    @Test func positionalArgumentsKeepTheirOrderAndADoubleDashStillEndsOptions() {
        #expect(LeadingGlobalOptions.movedAfterSubcommand(["--socket", "/s", "sim", "set", "a=1", "b=2"])
            == ["sim", "set", "a=1", "b=2", "--socket", "/s"])
        #expect(LeadingGlobalOptions.movedAfterSubcommand(["--json", "start", "x", "--", "--odd-name"])
            == ["start", "x", "--json", "--", "--odd-name"])
        #expect(LeadingGlobalOptions.movedAfterSubcommand(["status", "--json"]) == ["status", "--json"])
    }

    /// A command that has no --json still refuses it, and a --socket without a value is left
    /// for the parser to name.
    @Test func whatTheCommandDoesNotTakeIsStillRefused() {
        #expect(throws: (any Error).self) { try parsed(["--json", "stop"]) }
        #expect(LeadingGlobalOptions.movedAfterSubcommand(["--socket"]) == ["--socket"])
        #expect(throws: (any Error).self) { try parsed(["--socket"]) }
    }
}
