import ArgumentParser
import Foundation
import TreadDaemon

/// The program parser: treadd runs itself as `treadd parse-program` for every program text
/// (a socket client's, or the programs folder's), so no text is parsed in the daemon.
/// Reads a request on stdin, answers on stdout, inside `ParseSandbox`.
struct ParseProgram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse-program",
        abstract: "Parse program text for treadd in a sandbox (run by treadd itself).",
        discussion: """
            Reads {"documents":[{"file":..., "text":...}]} on stdin and writes the programs as
            structured segments, or their located problems, on stdout. It can open no file,
            make no socket and start no program. Exit status: 0 with an answer; 2 for a
            request that is not one; 3 when the sandbox cannot be entered.
            """,
        shouldDisplay: false)

    @Flag(help: "Enter the sandbox, then try what it forbids and print each outcome (for its tests).")
    var probeSandbox = false

    func run() throws {
        do { try ParseSandbox.enter() } catch {
            FileHandle.standardError.write(Data("treadd parse-program: \(error)\n".utf8))
            throw ExitCode(3)
        }
        if probeSandbox {
            for line in SandboxProbe.run() { print(line) }
            return
        }
        let request = FileHandle.standardInput.readDataToEndOfFile().prefix(ParseHelper.maxRequestBytes)
        let reply: Data
        do { reply = try ParseHelper.answer(Data(request)) } catch {
            FileHandle.standardError.write(Data("treadd parse-program: not a parse request\n".utf8))
            throw ExitCode(2)
        }
        FileHandle.standardOutput.write(reply)
    }
}
