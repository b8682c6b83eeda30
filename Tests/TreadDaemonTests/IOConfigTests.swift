import Foundation
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon
import TreadFiles

/// `[io]`: the GPIO wiring. Mistakes are refused with file, line and key at load; lines that
/// do not exist on this machine are refused at start with the line named.
@Suite struct IOConfigTests {
    static let wiring = """
        [io]
        chip = "treadmill"
        debounce_ms = 5

        [io.estop]
        line = "estop"
        bias = "pull-up"

        [io.safety_key]
        line = "safety_key"
        active_low = true

        [io.rail_left]
        line = 2

        [io.rail_right]
        line = "rail_right"
        debounce_ms = 20

        [io.drive_enable]
        line = "drive_enable"
        """

    func load(_ io: String, source: String = "gpio") throws -> DaemonConfig {
        let demo = try String(contentsOfFile: PackagePaths.demoConfig, encoding: .utf8)
        var t = TOMLText(demo.replacingOccurrences(of: "source = \"simulated\"", with: "source = \"\(source)\""))
        try t.set("profile", in: "drive", to: "profile = \"\(PackagePaths.deltaProfile)\"")
        let dir = try TempFolder()
        defer { dir.remove() }
        return try DaemonConfig.load(path: try dir.write("treadd.toml", t.text + "\n" + io + "\n"))
    }

    func rejection(_ io: String, source: String = "gpio") -> FileError? {
        do {
            _ = try load(io, source: source)
            return nil
        } catch let e as FileError { return e } catch { return nil }
    }

    @Test func wiringParses() throws {
        let c = try load(Self.wiring)
        let io = try #require(c.io)
        #expect(c.inputs == .gpio)
        #expect(c.inputLines == [.estop, .safetyKey, .railLeft, .railRight])
        #expect(io.inputs[.estop] == GPIOLineSpec(role: "estop", chip: "treadmill", line: .name("estop"), bias: .pullUp, debounce: .milliseconds(5)))
        #expect(io.inputs[.safetyKey]?.activeLow == true)
        #expect(io.inputs[.railLeft]?.line == .offset(2))
        #expect(io.inputs[.railRight]?.debounce == .milliseconds(20))
        #expect(io.driveEnable.line == .name("drive_enable"))
        #expect(io.driveEnable.debounce == .zero)
        #expect(io.warning == nil)
    }

    @Test func aMissingInputIsNamed() throws {
        let e = try #require(rejection(Self.wiring.replacingOccurrences(of: "[io.safety_key]\nline = \"safety_key\"\nactive_low = true\n", with: "")))
        #expect(e.key == "io.safety_key")
        #expect(e.message.contains("required"))
    }

    @Test func aLineUsedTwiceIsRefusedWithBothUses() throws {
        let e = try #require(rejection(Self.wiring.replacingOccurrences(of: "line = \"rail_right\"", with: "line = 2")))
        #expect(e.key == "io.rail_right.line")
        #expect(e.message.contains("io.rail_left"))
        #expect(e.line != nil)
    }

    @Test func anOutputOnAnInputsLineIsRefused() throws {
        let e = try #require(rejection(Self.wiring.replacingOccurrences(of: "line = \"drive_enable\"", with: "line = \"estop\"")))
        #expect(e.key == "io.drive_enable.line")
        #expect(e.message.contains("io.estop"))
    }

    @Test(arguments: [
        ("bias = \"pull-up\"", "bias = \"up\"", "io.estop.bias"),
        ("debounce_ms = 20", "debounce_ms = 500", "io.rail_right.debounce_ms"),
        ("line = 2", "line = -1", "io.rail_left.line"),
        ("line = 2", "line = 2.5", "io.rail_left.line"),
        ("chip = \"treadmill\"\n", "", "io.rail_left.line"),
        ("active_low = true", "active_lo = true", "io.safety_key.active_lo"),
    ])
    func aBadValueIsRefusedWithItsKey(from: String, to: String, key: String) throws {
        let text = Self.wiring.replacingOccurrences(of: from, with: to)
        #expect(text != Self.wiring)
        let e = try #require(rejection(text))
        #expect(e.key == key, "\(e)")
    }

    @Test func gpioWithoutWiringAndWiringWithoutGpioAreRefused() throws {
        #expect(rejection("")?.key == "io")
        #expect(rejection(Self.wiring, source: "simulated") != nil)
    }

    @Test func aLineThatDoesNotExistHereIsRefusedAtStartWithItsName() throws {
        // This machine has no GPIO chip, so resolving names the first line it cannot find.
        var c = try load(Self.wiring.replacingOccurrences(of: "chip = \"treadmill\"\n", with: "").replacingOccurrences(of: "line = 2", with: "line = \"rail_left\""))
        c.socketPath = "/nonexistent/never-bound.sock"
        do {
            _ = try Daemon(config: c, logger: .init(label: "test"))
            Issue.record("a daemon with missing lines started")
        } catch {
            #expect("\(error)".contains("estop"), "\(error)")
            #expect("\(error)".contains("no GPIO line named"), "\(error)")
        }
    }
}
