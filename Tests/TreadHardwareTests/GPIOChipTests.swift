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
