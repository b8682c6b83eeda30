import Foundation
import Testing
import TreadHardware

/// treadsim speaks standard Modbus: mbpoll, an independent client (Debian's mbpoll on
/// libmodbus), reads the status block and writes a reference and run command over TCP.
@Suite(.serialized)
struct MbpollTests {
    static let mbpoll = "/usr/bin/mbpoll"

    final class Sim {
        let process: ManagedProcess
        let port: Int
        let dir: String
        let log: String

        init(profileText: String? = nil) throws {
            dir = NSTemporaryDirectory() + "treadsim-mbpoll-\(UUID().uuidString.prefix(8))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var profile = Binaries.packageRoot + "/Config/drives/delta-ms300.toml"
            if let profileText {
                profile = dir + "/profile.toml"
                try profileText.write(toFile: profile, atomically: true, encoding: .utf8)
            }
            log = dir + "/sim.jsonl"
            process = try ManagedProcess(Binaries.path("treadsim"), ["--profile", profile, "--tcp", "127.0.0.1:0", "--log", log])
            let line = try process.waitForLine("treadsim listening") { $0.contains(" on tcp ") }.line
            port = Int(line.split(separator: ":").last!.split(separator: " ").first!)!
        }

        deinit {
            process.terminate()
            try? FileManager.default.removeItem(atPath: dir)
        }

        /// mbpoll once against holding registers at protocol (0-based) addresses.
        func mbpoll(_ args: [String]) throws -> (code: Int32, stdout: String, stderr: String) {
            try run(MbpollTests.mbpoll, ["-m", "tcp", "-p", "\(port)", "-a", "1", "-t", "4", "-0", "-1", "-o", "5"] + args, timeout: 20)
        }

        func read(_ address: UInt16, count: Int = 1) throws -> [Int: Int] {
            let r = try mbpoll(["-r", "\(address)", "-c", "\(count)", "127.0.0.1"])
            guard r.code == 0 else { throw TestFailure.failed("mbpoll read \(address) exited \(r.code): \(r.stdout) \(r.stderr)") }
            return MbpollTests.parse(r.stdout)
        }

        func write(_ address: UInt16, _ value: UInt16) throws -> (code: Int32, stdout: String, stderr: String) {
            try mbpoll(["-r", "\(address)", "127.0.0.1", "\(value)"])
        }
    }

    /// mbpoll prints one "[address]: \tvalue" line per register.
    static func parse(_ out: String) -> [Int: Int] {
        var values: [Int: Int] = [:]
        for line in out.split(separator: "\n") {
            let l = line.trimmingCharacters(in: .whitespaces)
            guard l.hasPrefix("["), let close = l.firstIndex(of: "]"), let address = Int(l[l.index(after: l.startIndex)..<close]) else { continue }
            let rest = l[l.index(after: close)...].drop { $0 == ":" || $0 == " " || $0 == "\t" }
            if let v = Int(rest.prefix { $0 == "-" || $0.isNumber }) { values[address] = v }
        }
        return values
    }

    @Test func mbpollReadsStatusAndRunsTheSimulatedDrive() throws {
        let p = try DriveProfile.load(path: Binaries.packageRoot + "/Config/drives/delta-ms300.toml")
        let sim = try Sim()
        let state = Int(p.stateRegister), output = Int(p.outputFrequencyRegister)
        let first = min(p.stateRegister, p.outputFrequencyRegister, p.faultCodeRegister ?? .max)
        let last = max(p.stateRegister, p.outputFrequencyRegister, p.faultCodeRegister ?? 0)
        let idle = try sim.read(first, count: Int(last - first) + 1)
        #expect(idle[state] == 0 && idle[output] == 0, "idle status block: \(idle)")
        #expect(idle.count == Int(last - first) + 1)

        // 30.00 Hz and run forward, written by mbpoll.
        let ref = try sim.write(p.referenceRegister, 3000)
        #expect(ref.code == 0, "\(ref.stdout) \(ref.stderr)")
        #expect(ref.stdout.contains("Written 1 references"))
        #expect(try sim.read(p.referenceRegister)[Int(p.referenceRegister)] == 3000)
        #expect(try sim.write(p.commandRegister, p.runForward).code == 0)

        var status: [Int: Int] = [:]
        let deadline = Date().addingTimeInterval(10)
        repeat {
            status = try sim.read(first, count: Int(last - first) + 1)
        } while status[output] != 3000 && Date() < deadline
        #expect(status[output] == 3000, "output never reached 30.00 Hz: \(status)")
        #expect(p.running.matches(UInt16(status[state] ?? 0)))
        #expect(!p.reverse.matches(UInt16(status[state] ?? 0)))

        #expect(try sim.write(p.commandRegister, p.stop).code == 0)
        let stopDeadline = Date().addingTimeInterval(10)
        repeat { status = try sim.read(first, count: Int(last - first) + 1) } while status[output] != 0 && Date() < stopDeadline
        #expect(status[output] == 0)
        #expect(!p.running.matches(UInt16(status[state] ?? 0)))

        // treadsim saw mbpoll's writes as ordinary FC06 requests.
        sim.process.terminate()
        let text = try String(contentsOfFile: sim.log, encoding: .utf8)
        #expect(text.contains("\"kind\":\"request\",\"fc\":6,\"address\":\(p.referenceRegister),\"values\":[3000]"))
        #expect(text.contains("\"fc\":3,\"address\":\(first)"))
    }

    @Test func fc16OnlyDriveRefusesMbpollSingleWriteWithIllegalFunction() throws {
        let delta = try String(contentsOfFile: Binaries.packageRoot + "/Config/drives/delta-ms300.toml", encoding: .utf8)
        let text = delta.replacingOccurrences(of: "write_function = 6 ", with: "write_function = 16 ")
        #expect(text != delta, "the Delta profile's write_function line moved")
        let sim = try Sim(profileText: text)
        // One value: mbpoll writes it with FC06, which an FC16-only drive refuses.
        let single = try sim.write(0x2001, 1500)
        #expect(single.code != 0)
        #expect((single.stdout + single.stderr).lowercased().contains("illegal function"), "\(single.stdout) \(single.stderr)")
        #expect(try sim.read(0x2001)[0x2001] == 0, "the refused write changed nothing")
        // Two values: FC16, accepted.
        let multiple = try sim.mbpoll(["-r", "\(0x2001)", "127.0.0.1", "1500", "0"])
        #expect(multiple.code == 0, "\(multiple.stdout) \(multiple.stderr)")
        #expect(try sim.read(0x2001)[0x2001] == 1500)
    }
}
