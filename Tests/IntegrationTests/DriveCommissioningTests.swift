import Foundation
import Glibc
import Testing
import TreadProtocol

/// Commissioning and a vanishing bus, with the real binaries.
@Suite(.serialized)
struct DriveCommissioningTests {
    /// A config for treadd's probe, pointing at `port`.
    func probeConfig(dir: String, port: Int) throws -> String {
        let path = dir + "/probe.toml"
        try """
            [daemon]
            socket = "\(dir)/probe.sock"
            [drive]
            profile = "\(Binaries.packageRoot)/Config/drives/delta-ms300.toml"
            transport = "tcp"
            host = "127.0.0.1"
            port = \(port)
            [belt]
            kmh_per_hz = 0.3333
            [limits]
            max_forward_kmh = 10.0
            [inputs]
            source = "simulated"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func probeReportsTheProfileAgainstTheLiveDrive() throws {
        let dir = NSTemporaryDirectory() + "treadd-probe-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let sim = try ManagedProcess(Binaries.path("treadsim"), ["--profile", Binaries.packageRoot + "/Config/drives/delta-ms300.toml",
                                                                 "--tcp", "127.0.0.1:0", "--log", dir + "/sim.jsonl"])
        let line = try sim.waitForLine("treadsim listening") { $0.contains(" on tcp ") }.line
        let port = Int(line.split(separator: ":").last!.split(separator: " ").first!)!

        let ok = try run(Binaries.path("treadd"), ["probe-drive", "--config", try probeConfig(dir: dir, port: port)])
        #expect(ok.code == 0, "\(ok.stdout)\n\(ok.stderr)")
        #expect(ok.stdout.contains("result:      OK"))
        #expect(ok.stdout.contains("comm-loss timeout [0x0903] wrote 5 read 5: ok"))
        #expect(ok.stdout.contains("identity:"))
        sim.terminate()
        let log = try SimLog(path: dir + "/sim.jsonl")
        #expect(log.writes(to: 0x2000).last?.values == [0x0001], "the probe leaves the drive with a stop command")

        let down = try run(Binaries.path("treadd"), ["probe-drive", "--config", try probeConfig(dir: dir, port: port)])
        #expect(down.code == 1)
        #expect(down.stdout.contains("connect:     FAILED"))
    }

    @Test func probeRefusesWhileTheDaemonRuns() throws {
        let rig = try TestRig()
        let cfg = rig.dir + "/treadd.toml"
        let r = try run(Binaries.path("treadd"), ["probe-drive", "--config", cfg])
        #expect(r.code == 1)
        #expect(r.stderr.contains("stop it first"))
    }

    /// A USB adapter unplugged (here: the PTY pair closed) is a latched fault naming the
    /// device, and the reopen loop backs off instead of spinning.
    @Test func vanishingSerialPortIsAFaultAndNoBusySpin() throws {
        let rig = try TestRig(transport: .rtu)
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        rig.socat?.terminate()
        let s = try events.awaitStatus("drive offline fault", timeout: 20) { $0.state == "fault" }
        #expect(s.fault?.code == "drive_offline")
        #expect(s.fault?.message.contains("pty-treadd") == true, "names the device: \(s.fault?.message ?? "")")
        #expect(s.enable == false)

        // CPU time used by treadd over a few seconds of reopen attempts.
        let pid = rig.daemon.process.processIdentifier
        let before = try cpuSeconds(pid)
        let start = Date()
        _ = try events.awaitStatus("several progress updates later", timeout: 10) { _ in Date().timeIntervalSince(start) > 3 }
        let used = try cpuSeconds(pid) - before
        let share = used / Date().timeIntervalSince(start)
        #expect(share < 0.2, "treadd used \(Int(share * 100))% of a core while the port was gone")
        #expect(try rig.ctl("reset").code == 1, "reset refused while the port is gone")
    }

    private func cpuSeconds(_ pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
        let ticks = Double(fields[11])! + Double(fields[12])!
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
