import Foundation
import Testing
@testable import TreadDaemon

/// What treadd gives back once ready: only its executable's read-only mappings that hold no
/// private copies. Releasing a mapping with private copies (relocated RELRO data, text
/// relocations) would put the file's unrelocated bytes back under running code.
@Suite struct StartupPagesTests {
    static let exe = "/usr/bin/treadd"
    static let smaps = """
    55d0a0000000-55d0a2000000 r-xp 00000000 fe:00 42    /usr/bin/treadd
    Size:              32768 kB
    Rss:               14000 kB
    Anonymous:             0 kB
    55d0a2000000-55d0a2100000 r--p 02000000 fe:00 42    /usr/bin/treadd
    Size:               1024 kB
    Rss:                 888 kB
    Anonymous:           888 kB
    55d0a2100000-55d0a4000000 rw-p 02100000 fe:00 42    /usr/bin/treadd
    Rss:                1500 kB
    Anonymous:           360 kB
    55d0a4000000-55d0a4100000 r--p 04000000 fe:00 42    /usr/bin/treadd
    Rss:                 100 kB
    Anonymous:             0 kB
    7f0000000000-7f0000100000 r-xp 00000000 fe:00 7     /usr/lib/x86_64-linux-gnu/libc.so.6
    Rss:                1240 kB
    Anonymous:             0 kB
    7f0000200000-7f0000300000 rw-p 00000000 00:00 0
    Rss:                 476 kB
    Anonymous:           476 kB
    7f0000400000-7f0000500000 r--p 00000000 fe:00 9     /var/lib/a path with spaces/treadd
    Rss:                   4 kB
    Anonymous:             0 kB
    """

    @Test func onlyTheExecutablesCleanReadOnlyMappingsAreReleased() {
        var advised: [(UInt, UInt)] = []
        let released = StartupPages.release(smaps: Self.smaps, executable: Self.exe) { start, length in
            advised.append((start, length))
            return 0
        }
        #expect(advised.map(\.0) == [0x55d0a0000000, 0x55d0a4000000])
        #expect(advised.map(\.1) == [0x2000000, 0x100000])
        #expect(released.mappings == 2)
        #expect(released.kib == 14100)
        #expect(released.skipped == ["55d0a2000000-55d0a2100000: 888 KiB private copies"])
    }

    @Test func aPathWithSpacesIsReadWhole() {
        let paths = StartupPages.Mapping.parse(Self.smaps).map(\.path)
        #expect(paths.last == "/var/lib/a path with spaces/treadd")
        #expect(paths.filter { $0 == Self.exe }.count == 4)
    }

    @Test func aRefusedAdviceIsReportedNotCounted() {
        let released = StartupPages.release(smaps: Self.smaps, executable: Self.exe) { _, _ in -1 }
        #expect(released.mappings == 0)
        #expect(released.kib == 0)
        #expect(released.skipped.count == 3)
    }

    @Test func unreadableProcfsReleasesNothing() {
        let released = StartupPages.release(smaps: nil, executable: Self.exe) { _, _ in
            Issue.record("nothing may be advised without a map")
            return 0
        }
        #expect(released.mappings == 0)
    }

    /// The real thing, on this test process: its executable's code pages leave its resident
    /// set, and the process runs on (the code it then touches faults back in from the cache).
    @Test func releasingDropsTheExecutablesResidentCodeAndTheProcessGoesOn() throws {
        func residentCodeKiB() throws -> Int {
            let exe = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            let smaps = try String(contentsOfFile: "/proc/self/smaps", encoding: .utf8)
            return StartupPages.Mapping.parse(smaps).filter { $0.path == exe && !$0.writable && $0.anonymousKiB == 0 }
                .map(\.residentKiB).reduce(0, +)
        }
        let before = try residentCodeKiB()
        let released = StartupPages.release()
        let after = try residentCodeKiB()
        #expect(released.mappings >= 1)
        #expect(released.kib >= before / 2)
        #expect(after < before / 2, "resident code \(before) KiB before, \(after) KiB after")
    }
}
