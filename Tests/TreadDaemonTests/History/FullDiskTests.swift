import Foundation
import Testing
import TreadTesting
import TreadCore
import TreadHardware
@testable import TreadDaemon

/// A history database on a tiny tmpfs that fills up mid-session: status shows the failure,
/// the belt is controlled as usual, and once space is freed the records waiting are written.
/// Needs root to mount (CI runs as root); skipped otherwise.
@Suite(.serialized, .enabled(if: getuid() == 0, "mounting a tmpfs needs root")) struct FullDiskTests {
    func sh(_ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    @Test func aFullDiskIsShownRetriedAndRecoveredWithoutTouchingTheBelt() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        let mount = dir.path + "/small"
        try FileManager.default.createDirectory(atPath: mount, withIntermediateDirectories: true)
        guard sh(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mount]) == 0 else {
            Issue.record("cannot mount a tmpfs at \(mount)")
            return
        }
        defer { _ = sh(["umount", "-l", mount]) }
        let path = mount + "/history.sqlite"
        let rig = try SocketServerTests.Rig { $0.historyPath = path }
        defer { rig.close() }
        let t = DaemonHistoryTests()
        #expect(eventually(timeout: .seconds(20)) { rig.daemon.control.status.history?.state == "ok" })
        // Fill what is left of the disk.
        let filler = mount + "/filler"
        FileManager.default.createFile(atPath: filler, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let chunk = Data(count: 4096)
        while (try? h.write(contentsOf: chunk)) != nil {}
        try? h.close()

        try t.runShortSession(rig, member: nil)
        let failing = rig.daemon.control.status
        #expect(failing.fault == nil)
        #expect(failing.history?.state == "failing")
        #expect(failing.history?.error?.contains(path) == true)
        #expect((failing.history?.pending ?? 0) > 0)

        try FileManager.default.removeItem(atPath: filler)
        #expect(eventually(timeout: .seconds(30)) { rig.daemon.control.status.history?.state == "ok" && rig.daemon.control.status.history?.pending == 0 })
        let store = try #require(rig.daemon.history?.store)
        let s = try #require(try store.sessions(member: nil, limit: 5).first)
        #expect(s.outcome == "finished")
        #expect(s.segments == 3)
    }
}
