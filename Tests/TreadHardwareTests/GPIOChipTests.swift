import Foundation
import Testing
@testable import TreadHardware

/// libgpiod v2 is linked, and a failed open is typed from errno so a technician can tell a
/// missing chip from a wrong path.
@Suite struct GPIOChipTests {
    @Test func libgpiodVersion2IsLinked() {
        let v = GPIOChip.libraryVersion
        #expect(v.hasPrefix("2."), "libgpiod \(v)")
    }

    @Test func missingChipIsNoSuchChip() {
        let path = "/dev/gpiochip-does-not-exist"
        #expect(throws: GPIOError.noSuchChip(path)) { try GPIOChip(path: path) }
        #expect(GPIOError.noSuchChip(path).description.contains(path))
    }

    @Test func regularFileIsNotAChip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gpio-\(UUID().uuidString)").path
        try Data("not a chip".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        // libgpiod 2.1 checks the file is a character device before anything else: ENOTTY.
        #expect(throws: GPIOError.notAChip(path)) { try GPIOChip(path: path) }
    }

    @Test func characterDeviceThatIsNotAGPIOChipIsNotAChip() {
        // /dev/null is a character device, but not in the gpio subsystem: ENODEV.
        #expect(throws: GPIOError.notAChip("/dev/null")) { try GPIOChip(path: "/dev/null") }
    }

    @Test func directoryIsNotAChip() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gpio-dir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: GPIOError.notAChip(path)) { try GPIOChip(path: path) }
    }
}

/// Lines are found by chip and offset or by name; what cannot be found is named. The real
/// request path is exercised against gpio-sim in the VM lane (scripts/vm).
@Suite struct GPIOLineSpecTests {
    @Test func aNamedLineOnNoChipNamesTheRole() {
        let spec = GPIOLineSpec(role: "rail_left", line: .name("rail-left-sensor"))
        #expect(throws: GPIOError.noSuchLine(role: "rail_left", line: "rail-left-sensor", chip: nil)) { try spec.resolve() }
        #expect(GPIOError.noSuchLine(role: "rail_left", line: "rail-left-sensor", chip: nil).description.contains("rail_left"))
    }

    @Test func chipNamesBecomeDevicePaths() throws {
        #expect(try GPIOChip.path(for: "gpiochip3") == "/dev/gpiochip3")
        #expect(try GPIOChip.path(for: "/dev/gpiochip1") == "/dev/gpiochip1")
        #expect(throws: GPIOError.noSuchChip("no-such-label")) { try GPIOChip.path(for: "no-such-label") }
    }

    @Test func anOffsetOnAMissingChipIsNoSuchChip() {
        let spec = GPIOLineSpec(role: "estop", chip: "gpiochip97", line: .offset(0))
        #expect(throws: GPIOError.noSuchChip("/dev/gpiochip97")) { try spec.resolve() }
    }

    @Test func inputsThatCannotBeRequestedRefuseToStart() {
        let inputs = GPIOInputs([.estop: GPIOLineSpec(role: "estop", chip: "gpiochip97", line: .offset(0))])
        #expect(throws: InputSourceError.gpio(.noSuchChip("/dev/gpiochip97"))) { try inputs.start { _ in } }
        // A failed start can be retried (nothing half-started is left behind).
        #expect(throws: InputSourceError.gpio(.noSuchChip("/dev/gpiochip97"))) { try inputs.start { _ in } }
    }
}
