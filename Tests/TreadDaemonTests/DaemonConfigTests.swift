import Foundation
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon
import TreadFiles

/// treadd.toml: the shipped configurations parse, and every mistake is refused with file,
/// line and key.
@Suite struct DaemonConfigTests {
    let demoText: String

    init() throws {
        demoText = try String(contentsOfFile: PackagePaths.demoConfig, encoding: .utf8)
    }

    /// The demo config with its profile pointing at the package's Delta profile.
    func demo() throws -> TOMLText {
        var t = TOMLText(demoText)
        try t.set("profile", in: "drive", to: "profile = \"\(PackagePaths.deltaProfile)\"")
        return t
    }

    /// Writes `t` into a temp folder as treadd.toml and expects loading to fail.
    func rejection(_ t: TOMLText) throws -> (FileError, file: String) {
        let dir = try TempFolder()
        defer { dir.remove() }
        let file = try dir.write("treadd.toml", t.text)
        do {
            _ = try DaemonConfig.load(path: file)
            Issue.record("expected the config to be rejected")
            throw MissingInFixture(description: "no error")
        } catch let e as FileError {
            return (e, file)
        }
    }

    @Test func demoConfigParses() throws {
        let c = try DaemonConfig.load(path: PackagePaths.demoConfig)
        #expect(c.socketPath == "/tmp/treadd-demo/treadd.sock")
        #expect(c.programsDirectory == PackagePaths.programs, "relative to the config file")
        #expect(c.profilePath == PackagePaths.deltaProfile)
        #expect(c.profile.name == "Delta MS300")
        #expect(c.controlHz == 25)
        #expect(c.controlPeriod == .milliseconds(40))
        #expect(c.modbus.transport == .tcp(host: "127.0.0.1", port: 1502))
        #expect(c.modbus.unit == 1)
        #expect(c.modbus.responseTimeout == .milliseconds(200))
        #expect(c.pollInterval == .milliseconds(50))
        #expect(c.calibration.kmhPerHz == 0.3333)
        #expect(c.limits.maxForwardSpeed == .kmh(12))
        #expect(c.limits.maxReverseSpeed == .kmh(4))
        #expect(c.limits.deceleration == 1.5)
        #expect(c.limits.directionDwell == .seconds(3))
        #expect(c.limits.railGrace == .seconds(1))
        #expect(c.railRule == .both)
        #expect(c.inputs == .simulated)
        #expect(c.summary.contains("Delta MS300"))
    }

    @Test func productionConfigNamesTheMissingProfile() throws {
        // Config/treadd.toml points at the installed profile, which this machine lacks.
        let t = TOMLText(try String(contentsOfFile: PackagePaths.productionConfig, encoding: .utf8))
        let installed = "/usr/share/treadd/drives/delta-ms300.toml"
        try #require(!FileManager.default.fileExists(atPath: installed), "an installed profile would make this test moot")
        #expect {
            try DaemonConfig.load(path: PackagePaths.productionConfig)
        } throws: { e in
            guard let e = e as? FileError else { return false }
            return e.file == PackagePaths.productionConfig && e.key == "drive.profile"
                && e.line == t.line(of: "profile", in: "drive") && e.message.contains(installed)
        }
    }

    @Test func productionConfigParsesWithTheProfileFromThePackage() throws {
        var t = TOMLText(try String(contentsOfFile: PackagePaths.productionConfig, encoding: .utf8))
        try t.set("profile", in: "drive", to: "profile = \"\(PackagePaths.deltaProfile)\"")
        let c = try DaemonConfig.parse(t.text, file: "/etc/treadd/treadd.toml")
        #expect(c.socketPath == "/run/treadd/treadd.sock")
        #expect(c.programsDirectory == "/etc/treadd/programs")
        #expect(c.modbus.transport == .rtu(SerialSettings(device: "/dev/treadmill-drive", baud: 19200, parity: "N", dataBits: 8, stopBits: 1, rs485: false)))
        #expect(c.limits.maxForwardSpeed == .kmh(16))
        #expect(c.limits.maxReverseSpeed == .kmh(4))
    }

    @Test func relativeProfileAndProgramsResolveAgainstTheConfigFolder() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        try dir.write("drives/d.toml", try String(contentsOfFile: PackagePaths.deltaProfile, encoding: .utf8))
        var t = TOMLText(demoText)
        try t.set("profile", in: "drive", to: "profile = \"drives/d.toml\"")
        let c = try DaemonConfig.load(path: try dir.write("treadd.toml", t.text))
        #expect(c.profilePath == dir.url.appendingPathComponent("drives/d.toml").path)
        #expect(c.programsDirectory == dir.url.appendingPathComponent("programs").path)
    }

    @Test func brokenProfileIsReportedInTheProfileFile() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        var profile = TOMLText(try String(contentsOfFile: PackagePaths.deltaProfile, encoding: .utf8))
        let line = try profile.set("unit_hz", in: "reference", to: "unit_hz = 0")
        let profilePath = try dir.write("bad-drive.toml", profile.text)
        var t = TOMLText(demoText)
        try t.set("profile", in: "drive", to: "profile = \"\(profilePath)\"")
        let file = try dir.write("treadd.toml", t.text)
        #expect {
            try DaemonConfig.load(path: file)
        } throws: { e in
            guard let e = e as? FileError else { return false }
            return e.file == profilePath && e.line == line && e.key == "reference.unit_hz"
        }
    }

    struct BadValue: Sendable, CustomTestStringConvertible {
        var table: String, key: String, replacement: String
        init(_ table: String, _ key: String, _ replacement: String) { self.table = table; self.key = key; self.replacement = replacement }
        var testDescription: String { "[\(table)] \(replacement)" }
    }

    /// One broken value per case.
    static let badValues: [BadValue] = [
        BadValue("limits", "max_reverse_kmh", "max_reverse_kmh = 7.0"),
        BadValue("limits", "rail_grace_s", "rail_grace_s = 5"),
        BadValue("drive", "poll_ms", "poll_ms = 200"),  // 3 x 200 ms > the drive's 500 ms comm-loss timeout
        BadValue("drive", "transport", "transport = \"udp\""),
        BadValue("daemon", "control_hz", "control_hz = 100"),
        BadValue("limits", "max_forward_kmh", "max_forward_kmh = 21.0"),  // 60 Hz x 0.3333 = 20 km/h
        BadValue("limits", "rails", "rails = \"one\""),
        BadValue("drive", "unit", "unit = 0"),
        BadValue("belt", "kmh_per_hz", "kmh_per_hz = 0"),
        BadValue("drive", "setpoint_lifetime_ms", "setpoint_lifetime_ms = 5000"),
        BadValue("drive", "setpoint_lifetime_ms", "setpoint_lifetime_ms = 100"),  // under 3 control periods at 25 Hz
        BadValue("daemon", "realtime_priority", "realtime_priority = 40"),  // the input thread would be at 41
        BadValue("daemon", "realtime_priority", "realtime_priority = -1"),
        // Seconds no duration can hold: these trapped before (found by fuzzing, Fuzz/regressions/config).
        BadValue("limits", "direction_dwell_s", "direction_dwell_s = nan"),
        BadValue("limits", "direction_dwell_s", "direction_dwell_s = 1e300"),
        BadValue("limits", "rail_grace_s", "rail_grace_s = -inf"),
    ]

    @Test(arguments: badValues)
    func badValueIsRefusedWithFileLineAndKey(_ bad: BadValue) throws {
        let (table, key) = (bad.table, bad.key)
        var t = try demo()
        let line = try t.set(key, in: table, to: bad.replacement)
        let (e, file) = try rejection(t)
        #expect(e.file == file)
        #expect(e.key == "\(table).\(key)")
        #expect(e.line == line)
        #expect(e.description.hasPrefix("\(file):\(line): \(table).\(key): "))
    }

    @Test func pollIntervalAtAThirdOfTheTimeoutIsAccepted() throws {
        var t = try demo()
        try t.set("poll_ms", in: "drive", to: "poll_ms = 166")
        let c = try DaemonConfig.parse(t.text, file: "treadd.toml")
        #expect(c.pollInterval == .milliseconds(166))
    }

    @Test func setpointLifetimeReachesTheConfig() throws {
        var t = try demo()
        #expect(try DaemonConfig.parse(t.text, file: "treadd.toml").setpointLifetime == .milliseconds(300))
        try t.set("setpoint_lifetime_ms", in: "drive", to: "setpoint_lifetime_ms = 750")
        #expect(try DaemonConfig.parse(t.text, file: "treadd.toml").setpointLifetime == .milliseconds(750))
    }

    @Test func realtimePriorityIsOffUnlessConfiguredAndShownByCheckConfig() throws {
        var t = try demo()
        try t.set("realtime_priority", in: "daemon", to: "realtime_priority = 0")
        let off = try DaemonConfig.parse(t.text, file: "treadd.toml")
        #expect(off.realtime == nil)
        #expect(off.summary.contains("thread priority:   normal"))
        try t.set("realtime_priority", in: "daemon", to: "realtime_priority = 20")
        let on = try DaemonConfig.parse(t.text, file: "treadd.toml")
        #expect(on.realtime?.value == 20)
        #expect(on.summary.contains("drive thread SCHED_FIFO 20, input thread SCHED_FIFO 21"))
        // The shipped config asks for it, and the unit allows exactly as much.
        var production = TOMLText(try String(contentsOfFile: PackagePaths.productionConfig, encoding: .utf8))
        try production.set("profile", in: "drive", to: "profile = \"\(PackagePaths.deltaProfile)\"")
        let shipped = try DaemonConfig.parse(production.text, file: "/etc/treadd/treadd.toml")
        let unit = try String(contentsOfFile: PackagePaths.root.appendingPathComponent("systemd/treadd.service").path, encoding: .utf8)
        let limit = try #require(shipped.realtime).forInputs.value
        #expect(unit.contains("\nLimitRTPRIO=\(limit)\n"))
        #expect(unit.contains("\nRestrictRealtime=no\n"))
    }

    @Test func unknownKeyIsRefused() throws {
        var t = try demo()
        let line = try t.set("max_reverse_kmh", in: "limits", to: "max_revrse_kmh = 4.0")
        let (e, _) = try rejection(t)
        #expect(e.key == "limits.max_revrse_kmh")
        #expect(e.line == line)
        #expect(e.message.contains("unknown key"))
    }

    @Test func missingDriveSectionIsRefused() throws {
        let text = demoText.replacingOccurrences(of: "[drive]", with: "[driver]")
        let t = TOMLText(text)
        let (e, _) = try rejection(t)
        #expect(e.key == "driver")
        #expect(e.line == t.line(ofTable: "driver"))
    }

    @Test func metricsListenIsReadAndANonLoopbackAddressIsRefusedWithTheKey() throws {
        let t = try demo()
        let ok = try DaemonConfig.parse(t.text + "\n[metrics]\nlisten = \"127.0.0.1:9464\"\n", file: "treadd.toml")
        #expect(ok.metrics == MetricsEndpoint(host: "127.0.0.1", port: 9464))
        let off = try DaemonConfig.parse(t.text, file: "treadd.toml")
        #expect(off.metrics == nil, "metrics are off unless configured")
        #expect(off.summary.contains("metrics:           off"))
        let (e, _) = try rejection(TOMLText(t.text + "\n[metrics]\nlisten = \"0.0.0.0:9464\"\n"))
        #expect(e.key == "metrics.listen")
        #expect(e.message.contains("loopback"))
    }

    @Test func socketGroupDefaultsToTreadmillAndCanBeTurnedOff() throws {
        let t = try demo()
        #expect(try DaemonConfig.parse(t.text, file: "treadd.toml").socketGroup == "treadmill")
        let staff = t.text.replacingOccurrences(of: "[daemon]", with: "[daemon]\nsocket_group = \"staff\"")
        #expect(try DaemonConfig.parse(staff, file: "treadd.toml").socketGroup == "staff")
        let none = t.text.replacingOccurrences(of: "[daemon]", with: "[daemon]\nsocket_group = \"\"")
        #expect(try DaemonConfig.parse(none, file: "treadd.toml").socketGroup == nil)
    }

    /// Nothing is assumed about where the e-stop is read: the section and the key are required.
    @Test func theInputSourceMustBeNamed() throws {
        let t = try demo()
        let (noSection, _) = try rejection(TOMLText(t.text.replacingOccurrences(of: "[inputs]\nsource = \"simulated\"\n", with: "")))
        #expect(noSection.key == "inputs")
        #expect(noSection.message.contains("required"))
        let (noKey, _) = try rejection(TOMLText(t.text.replacingOccurrences(of: "source = \"simulated\"", with: "")))
        #expect(noKey.key == "inputs.source")
    }

    /// Simulated inputs read an e-stop that is always closed: refused beside a real drive.
    @Test func simulatedInputsAreRefusedWithARealDriveUnlessAllowed() throws {
        var rtu = try demo()
        try rtu.set("transport", in: "drive", to: "transport = \"rtu\"\ndevice = \"/dev/ttyUSB0\"")
        let (e, _) = try rejection(rtu)
        #expect(e.key == "inputs.source")
        let sourceLine = rtu.text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.hasPrefix("source = ") }.map { $0 + 1 }
        #expect(e.line == sourceLine)
        #expect(e.message.contains("--allow-simulated-inputs") && e.message.contains("/dev/ttyUSB0"))
        #expect(try DaemonConfig.parse(rtu.text, file: "treadd.toml", allowSimulatedInputs: true).inputs == .simulated)

        var lan = try demo()
        try lan.set("host", in: "drive", to: "host = \"10.1.2.3\"")
        let (remote, _) = try rejection(lan)
        #expect(remote.key == "inputs.source" && remote.message.contains("10.1.2.3"))
        // A simulator on loopback is what the demo and the tests run against.
        #expect(try DaemonConfig.parse(try demo().text, file: "treadd.toml").inputs == .simulated)
    }

    @Test func theSpeedSupervisorsAllowancesAreReadAndCapped() throws {
        let t = try demo()
        let tuned = t.text.replacingOccurrences(of: "[limits]", with: "[limits]\noverspeed_margin_kmh = 0.8\ntracking_time_s = 2")
        let c = try DaemonConfig.parse(tuned, file: "treadd.toml")
        #expect(c.limits.overspeedMargin == .kmh(0.8) && c.limits.trackingTime == .seconds(2))
        let (e, _) = try rejection(TOMLText(t.text.replacingOccurrences(of: "[limits]", with: "[limits]\novertspeed = 1")))
        #expect(e.key?.hasPrefix("limits") == true)
        let (wide, _) = try rejection(TOMLText(t.text.replacingOccurrences(of: "[limits]", with: "[limits]\noverspeed_margin_kmh = 3.0")))
        #expect(wide.key == "limits.overspeed_margin_kmh" && wide.message.contains("hard limit"))
    }
}
