import Foundation
import Glibc
import Testing
import TreadCore
import TreadProtocol
import TreadTesting
@testable import TreadDaemon

/// Whatever program text a client sends, the belt keeps running its session: the text goes to
/// the parser helper, and the worst a request earns is an error reply. A real daemon on an
/// in-process simulator, a real socket, real helper processes.
@Suite(.serialized) struct UntrustedProgramTextTests {
    func startDemo(_ rig: SocketServerTests.Rig) throws {
        let program = try #require(rig.daemon.programs.programs["demo"])
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.drive == "online" })
        #expect(rig.submit(.start(program)) == nil)
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.state == "running" })
    }

    func request(_ id: Int, _ method: TreadProtocol.Method, source text: String, file: String) -> String {
        let params = Params(programSource: ProgramSource(file: file, text: text))
        return LineCoding.encode(Request(id: id, method: method, params: params)) + "\n"
    }

    func reply(_ c: LineClient, id: Int) throws -> ServerMessage {
        // Status events may interleave; the reply is the message with this id.
        while true {
            let line = try #require(c.readLine(timeout: .seconds(10)), "no reply to request \(id)")
            let m = try LineCoding.decode(ServerMessage.self, from: line)
            if m.id == id { return m }
        }
    }

    @Test func theFuzzFoundCrashInputsEachGetAnErrorWhileTheSessionGoesOn() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        try startDemo(rig)
        let c = try rig.client()
        _ = c.readLine()
        let folder = PackagePaths.root.appendingPathComponent("Fuzz/regressions/program").path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        var id = 0
        let before = rig.daemon.control.status.elapsedS
        for name in names {
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)), as: UTF8.self)
            for method in [TreadProtocol.Method.programsValidate, .start] {
                id += 1
                #expect(c.send(request(id, method, source: text, file: name)))
                let m = try reply(c, id: id)
                #expect(m.error?.code == .badProgram, "\(name) via \(method): \(String(describing: m.error))")
            }
        }
        let s = rig.daemon.control.status
        #expect(s.state == "running" && s.program == "demo", "the session goes on: \(s.state)")
        #expect(s.elapsedS > before)
    }

    /// A speed no belt reaches used to trap treadd itself, in the message refusing it (the
    /// program fuzzer's find; a valid program, so its input is in Fuzz/corpus/program, not in
    /// Fuzz/regressions/program, whose inputs the test above expects refused as text): validate
    /// names it as a problem, start refuses it, treadd goes on.
    @Test func aProgramFasterThanAnyBeltIsRefusedByNameAndTreaddGoesOn() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.drive == "online" })
        let c = try rig.client()
        _ = c.readLine()
        let text = """
            [[steps]]
            direction = "forward"
            speed_kmh = 3.0
            duration = "25s"

            [[steps]]
            direction = "reverse"
            speed_kmh = 155555555555555555555555555555555555555555.0
            duration = "30s"
            """
        #expect(c.send(request(1, .programsValidate, source: text, file: "fast.toml")))
        let problems = try reply(c, id: 1).result?.program?.problems ?? []
        #expect(problems.contains { $0.contains("fast.toml:6") && $0.contains("1.5555555555555556e+41") }, "\(problems)")
        #expect(c.send(request(2, .start, source: text, file: "fast.toml")))
        let refused = try reply(c, id: 2)
        #expect(refused.error?.code == .programRejected, "\(String(describing: refused.error))")
        #expect(refused.error?.message.contains("1.5555555555555556e+41") == true)
        #expect(rig.daemon.control.status.state == "idle")
    }

    @Test func aParserKilledBySIGKILLIsAnErrorReplyAndTheSessionGoesOn() throws {
        let killed = ProgramParser(command: ["/bin/sh", "-c", "kill -9 $$"], timeout: .seconds(3))
        let rig = try SocketServerTests.Rig(parts: Daemon.Parts(programParser: killed))
        defer { rig.close() }
        // The folder went through the same parser: every program is broken, with the reason.
        #expect(rig.daemon.programs.programs.isEmpty)
        let demo = try #require(rig.daemon.programs.broken["demo"])
        #expect(demo.description.contains("signal 9 (SIGKILL)"), "\(demo)")
        // A session from a program parsed elsewhere, so one can run while the helper fails.
        let program = Program(name: "walk", items: [.segment(Segment(direction: .forward, speed: .kmh(3), duration: .seconds(60)))])
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.drive == "online" })
        #expect(rig.submit(.start(program)) == nil)
        #expect(eventually(timeout: .seconds(10)) { rig.daemon.control.status.state == "running" })
        let c = try rig.client()
        _ = c.readLine()
        #expect(c.send(request(1, .start, source: "[[steps]]\n", file: "x.toml")))
        let m = try reply(c, id: 1)
        #expect(m.error?.code == .parserFailed)
        #expect(m.error?.message.contains("SIGKILL") == true, "\(String(describing: m.error))")
        #expect(c.send(#"{"id":2,"method":"status"}"# + "\n"))
        #expect(try reply(c, id: 2).result?.status?.state == "running", "the same connection keeps serving")
        #expect(rig.daemon.control.status.state == "running")
    }

    @Test func aHangingParserTimesOutAndFloodsAreTurnedAwayAtOnce() throws {
        let hangs = ProgramParser(command: ["/bin/sh", "-c", "exec sleep 30"], timeout: .milliseconds(500))
        let rig = try SocketServerTests.Rig(parts: Daemon.Parts(programParser: hangs))
        defer { rig.close() }
        let c = try rig.client()
        _ = c.readLine()
        // More than the desk holds, all at once: the excess is refused without a helper.
        let n = 12
        for i in 1...n { #expect(c.send(request(i, .programsValidate, source: "x", file: "x.toml"))) }
        var replies: [Int: ServerMessage] = [:]
        while replies.count < n {
            let line = try #require(c.readLine(timeout: .seconds(10)), "\(replies.count) of \(n) replies")
            let m = try LineCoding.decode(ServerMessage.self, from: line)
            if let id = m.id { replies[id] = m }
        }
        var timedOut = 0, turnedAway = 0
        for m in replies.values {
            #expect(m.error?.code == .parserFailed)
            if m.error?.message.contains("no answer within") == true { timedOut += 1 }
            if m.error?.message.contains("too many programs") == true { turnedAway += 1 }
        }
        #expect(timedOut + turnedAway == n)
        #expect(turnedAway >= n - 8 && timedOut >= 1, "timed out \(timedOut), turned away \(turnedAway)")
    }

    @Test func aThousandMalformedRequestsLeaveTheSessionsTimingUnchanged() throws {
        let rig = try SocketServerTests.Rig()
        defer { rig.close() }
        try startDemo(rig)
        let c = try rig.client()
        _ = c.readLine()
        let period = rig.daemon.config.controlPeriod
        // The same session with nobody sending anything: the baseline, measured in this run.
        _ = rig.daemon.control.takeTickLateness()
        Thread.sleep(forTimeInterval: 2)  // a measurement window, not a wait for a state
        let quiet = rig.daemon.control.takeTickLateness()
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let kinds: [(Int) -> String] = [
            { _ in "this is not json" },
            { #"{"id":\#($0),"method":"fly"}"# },
            { #"{"id":\#($0),"method":"start","params":{"program":42}}"# },
            { #"{"id":\#($0),"method":"programs.validate","params":{"program_source":{"file":"f.toml","text":"[[ }\n[#"}}}"# },
            { _ in deep },
        ]
        let started = ContinuousClock.now
        for i in 0..<1000 {
            #expect(c.send(kinds[i % kinds.count](i + 1) + "\n"))
            let line = try #require(c.readLine(timeout: .seconds(10)), "no reply to malformed request \(i)")
            let m = try LineCoding.decode(ServerMessage.self, from: line)
            #expect(m.error != nil, "request \(i) earned \(line.prefix(120))")
        }
        let took = ContinuousClock.now - started
        let flood = rig.daemon.control.takeTickLateness()
        // A second quiet window after the flood: the machine's load (other suites run alongside)
        // may have changed meanwhile, and the baseline is the worse of the two.
        Thread.sleep(forTimeInterval: 2)  // a measurement window, not a wait for a state
        let after = rig.daemon.control.takeTickLateness()
        let s = rig.daemon.control.status
        #expect(s.state == "running" && s.fault == nil, "\(s.state) \(String(describing: s.fault))")
        func p(_ xs: [Duration], _ q: Double) -> Duration { xs.sorted()[min(xs.count - 1, Int(Double(xs.count) * q))] }
        let baseline = max(p(quiet, 0.99), p(after, 0.99))
        print("tick lateness, quiet \(quiet.count) ticks: p50 \(p(quiet, 0.5)) p99 \(p(quiet, 0.99)) max \(quiet.max()!); "
              + "1000 malformed requests in \(took), \(flood.count) ticks: p50 \(p(flood, 0.5)) p99 \(p(flood, 0.99)) max \(flood.max()!); "
              + "quiet after, \(after.count) ticks: p99 \(p(after, 0.99))")
        #expect(flood.count >= Int(took / period) - 2, "the loop ticked through the flood")
        // The figures are the point (printed above); the bounds only catch a loop the flood
        // starves: p99 within 3x the quiet baseline or 10 ms of it, and no tick half a period late.
        #expect(p(flood, 0.99) <= max(baseline * 3, baseline + .milliseconds(10)), "p99 lateness under the flood against the quiet baseline")
        #expect(flood.max()! < period / 2, "no tick was delayed by half a period")
    }
}
