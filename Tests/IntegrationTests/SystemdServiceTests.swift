import Foundation
import Glibc
import Testing
import TreadProtocol
import TreadTesting

/// The real treadd binary as systemd runs it: the test plays systemd's notify socket and
/// sends the signals `systemctl reload` and `systemctl stop` send.
@Suite(.serialized)
struct SystemdServiceTests {
    @Test func readyThenPingsSighupReloadsProgramsSigtermStopsTheBeltUnderControlAndExitsZero() throws {
        let notifyPath = NSTemporaryDirectory() + "treadd-notify-\(UUID().uuidString.prefix(8)).sock"
        let listener = try NotifyListener(address: notifyPath)
        defer { unlink(notifyPath) }
        let rig = try TestRig(environment: ["NOTIFY_SOCKET": notifyPath, "WATCHDOG_USEC": "1000000"])
        let pid = rig.daemon.process.processIdentifier

        let first = try #require(listener.next(timeout: .seconds(10)), "treadd sent nothing to NOTIFY_SOCKET")
        #expect(first.notifyFields["READY"] == "1", "first message: \(first)")
        #expect(listener.await(timeout: .seconds(5)) { $0.notifyFields["WATCHDOG"] == "1" } != nil, "no watchdog ping")

        // systemctl reload: a program added to the folder is offered afterwards.
        try TestRig.shortProgram.write(toFile: rig.dir + "/programs/added.toml", atomically: true, encoding: .utf8)
        kill(pid, SIGHUP)
        let reload = try #require(listener.await(timeout: .seconds(10)) { $0.notifyFields["READY"] == "1" }, "no READY=1 after SIGHUP")
        #expect(reload.contains { $0.notifyFields["RELOADING"] == "1" })
        #expect(try rig.ctlChecked("programs", "list").contains("added"))
        try rig.daemon.waitForLine("reload logged") { $0.contains("programs reloaded") && $0.contains("limits") }

        // systemctl stop during a session: STOPPING=1, the belt ramps to a standstill, exit 0.
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        try rig.ctlChecked("start", "short")
        try events.awaitStatus("belt moving") { $0.state == "running" && ($0.beltSpeedKmh ?? -1) > 1.0 }
        kill(pid, SIGTERM)
        #expect(listener.await(timeout: .seconds(5)) { $0.notifyFields["STOPPING"] == "1" } != nil, "no STOPPING=1 after SIGTERM")
        do {
            // Idle is reached only at standstill (the core's standstill threshold, 0.05 km/h).
            let stopped = try events.awaitStatus("standstill before exit", timeout: 20) { $0.state == "idle" && ($0.beltSpeedKmh ?? 1) < 0.1 }
            #expect(stopped.enable == false)
            #expect(try rig.daemon.waitForExit(timeout: 30) == 0)
        } catch {
            let output = rig.daemon.output.suffix(40).joined(separator: "\n")
            Issue.record("\(error)\ntreadd's output:\n\(output)")
        }
        #expect(rig.daemon.output.contains { $0.contains("treadd stopped") })
    }

    @Test func aBrokenConfigRefusesToStartNamingFileAndKeyOnStderr() throws {
        let dir = NSTemporaryDirectory() + "treadd-badcfg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/treadd.toml"
        try "[daemon]\ncontrol_hz = 500\n".write(toFile: file, atomically: true, encoding: .utf8)
        let r = try run(Binaries.path("treadd"), ["--config", file])
        #expect(r.code == 2, "exit 2: the unit's RestartPreventExitStatus")
        #expect(r.stderr.contains(file) && r.stderr.contains("daemon.control_hz"), "stderr: \(r.stderr)")
    }

    @Test func aMissingSerialDeviceIsAClearStartUpError() throws {
        let dir = NSTemporaryDirectory() + "treadd-noserial-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var text = try String(contentsOfFile: Binaries.packageRoot + "/Config/demo.toml", encoding: .utf8)
        text = text.replacingOccurrences(of: "transport = \"tcp\"", with: "transport = \"rtu\"\ndevice = \"\(dir)/ttyUSB-gone\"")
        text = text.replacingOccurrences(of: "socket = \"/tmp/treadd-demo/treadd.sock\"", with: "socket = \"\(dir)/treadd.sock\"")
        text = text.replacingOccurrences(of: "profile = \"drives/", with: "profile = \"\(Binaries.packageRoot)/Config/drives/")
        text = text.replacingOccurrences(of: "programs = \"programs\"", with: "programs = \"\(Binaries.packageRoot)/Config/programs\"")
        try text.write(toFile: dir + "/treadd.toml", atomically: true, encoding: .utf8)
        let r = try run(Binaries.path("treadd"), ["--config", dir + "/treadd.toml", "--allow-simulated-inputs"], timeout: 30)
        #expect(r.code == 1)
        #expect(r.stderr.contains("serial device \(dir)/ttyUSB-gone does not exist"), "stderr: \(r.stderr)")
    }
}
