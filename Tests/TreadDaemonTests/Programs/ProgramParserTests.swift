import Foundation
import Glibc
import Testing
import TreadCore
import TreadFiles
import TreadProtocol
import TreadTesting
@testable import TreadDaemon

/// The program parser: real helper processes (`treadd parse-program`, and shell stand-ins for
/// helpers that crash, hang or lie), each failure an error for that text alone.
@Suite struct ProgramParserTests {
    let parser = ProgramParser.beside()

    func document(_ name: String) throws -> ProgramDocument {
        let path = PackagePaths.programs + "/\(name).toml"
        return ProgramDocument(file: path, name: name, text: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// A stand-in helper: a shell script, with the parser's usual limits but `timeout`.
    func fake(_ script: String, timeout: Duration = .seconds(3), maxReply: Int = 1 << 20) -> ProgramParser {
        ProgramParser(command: ["/bin/sh", "-c", script], timeout: timeout, maxReplyBytes: maxReply)
    }

    @Test func theHelperAnswersWhatTheInProcessReaderReads() throws {
        let docs = try ["demo", "target-40-60", "week1-first-steps", "week4-building"].map(document)
        let results = try parser.parse(docs).get()
        #expect(results.count == docs.count)
        for (doc, result) in zip(docs, results) {
            let expected = try ProgramFile.parse(doc.text, file: doc.file, name: doc.name)
            #expect(try result.get() == expected, "\(doc.file)")
        }
    }

    @Test func problemsComeBackLocatedAgainstTheFileTheDaemonNamed() throws {
        let text = "title = \"x\"\n[[steps]]\ndirection = \"sideways\"\nspeed_kmh = 2.0\nduration = \"10s\"\n"
        let result = parser.parse(ProgramDocument(file: "/tmp/mine.toml", text: text))
        guard case .failure(.invalid(let e)) = result else { Issue.record("expected located problems, got \(result)"); return }
        #expect(e.errors.map(\.file) == ["/tmp/mine.toml"])
        #expect(e.errors.first?.line == 3)
        #expect(e.description.contains("direction"))
    }

    @Test func theFuzzFoundCrashInputsAreAnswered() throws {
        let folder = PackagePaths.root.appendingPathComponent("Fuzz/regressions/program").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.count >= 9)
        for name in names {
            let data = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            let result = parser.parse(ProgramDocument(file: name, text: String(decoding: data, as: UTF8.self)))
            switch result {
            case .failure(.invalid): break
            case .success, .failure(.parser): Issue.record("\(name): \(result)")
            }
        }
    }

    @Test func aHelperKilledMidParseIsAnErrorForThatTextAlone() throws {
        let doc = try document("demo")
        let killed = parser.parse(doc, onSpawn: { kill($0, SIGKILL) })
        guard case .failure(.parser(.killed(let signal))) = killed else { Issue.record("got \(killed)"); return }
        #expect(signal == SIGKILL)
        #expect(killed.errorDescription.contains("signal 9 (SIGKILL)"))
        // The next parse is unaffected.
        #expect((try? parser.parse(doc).get()) != nil)
    }

    @Test func aHelperThatHangsIsKilledAtItsTimeLimit() throws {
        let started = ContinuousClock.now
        let result = fake("exec sleep 30", timeout: .milliseconds(300)).parse(try document("demo"))
        #expect(result.parserFailure == .timedOut(.milliseconds(300)))
        #expect(ContinuousClock.now - started < .seconds(10), "killed, not waited for")
    }

    @Test func aHelperThatDiesBeforeReadingItsInputIsAnError() throws {
        // A megabyte the helper never reads: the write meets EPIPE, and SIGPIPE kills no one.
        let text = String(repeating: "# padding\n", count: 100_000)
        let result = fake("exit 7").parse(ProgramDocument(file: "big.toml", text: text))
        guard case .exited(let status, _)? = result.parserFailure else { Issue.record("got \(result)"); return }
        #expect(status == 7)
    }

    @Test func garbageAndOverlongAnswersAreRefused() throws {
        let doc = try document("demo")
        #expect(fake("cat >/dev/null; echo nonsense").parse(doc).parserFailure == .garbage("not a parse reply"))
        #expect(fake(#"cat >/dev/null; echo '{"outcomes":[]}'"#).parse(doc).parserFailure == .garbage("0 answers for 1 programs"))
        #expect(fake(#"cat >/dev/null; echo '{"outcomes":[{}]}'"#).parse(doc).parserFailure == .garbage("an answer with neither a program nor problems"))
        #expect(fake("cat >/dev/null; head -c 100000 /dev/zero", maxReply: 1000).parse(doc).parserFailure == .garbage("more than 1000 bytes"))
    }

    @Test func aStructuredAnswerIsCheckedAgainByTheDaemon() throws {
        // A helper that lies: well-formed JSON with a negative speed and a reverse warm-up.
        let reply = #"{"outcomes":[{"program":{"name":"x","title":"x","items":[{"segments":[{"direction":"reverse","speed_kmh":2,"duration_s":60,"role":"warmup","line":4}]},{"segments":[{"direction":"forward","speed_kmh":-3,"duration_s":60,"role":"main","line":9}]}]}}]}"#
        let result = fake("cat >/dev/null; echo '\(reply)'").parse(ProgramDocument(file: "lie.toml", text: "x"))
        guard case .failure(.invalid(let e)) = result else { Issue.record("got \(result)"); return }
        #expect(e.errors.map(\.line) == [4, 9])
        #expect(e.errors.allSatisfy { $0.file == "lie.toml" })
        #expect(e.description.contains("always forwards"))
        #expect(e.description.contains("above 0 km/h"))
    }

    @Test func theSandboxRefusesFilesSocketsProcessesAndSignals() throws {
        let out = try runHelper(["parse-program", "--probe-sandbox"])
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "\(out)")
        for line in lines { #expect(line.contains("refused") || line == "inherited descriptors: none", "\(line)") }
    }

    @Test func noDescriptorOfTheDaemonReachesTheHelper() throws {
        // Opened without O_CLOEXEC, as a careless library might.
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        #expect(fd > 2)
        let out = try runHelper(["parse-program", "--probe-sandbox"])
        #expect(out.contains("inherited descriptors: none"), "\(out)")
    }

    /// Runs the real helper binary with stdout on a pipe, through the parser's own spawner.
    func runHelper(_ args: [String]) throws -> String {
        let exchange = try HelperProcess.run(parser.command.prefix(1) + args, input: Data(), timeout: .seconds(10), maxOutput: 1 << 16, onSpawn: { _ in }).get()
        #expect(exchange.status == 0, "\(exchange.firstErrorLine)")
        return String(decoding: exchange.output, as: UTF8.self)
    }
}

extension Result where Failure == ProgramParseError {
    var parserFailure: ParseFailure? {
        if case .failure(.parser(let f)) = self { return f }
        return nil
    }
    var errorDescription: String {
        if case .failure(let e) = self { return e.description }
        return ""
    }
}
