import Foundation
import Glibc
import Testing
import TreadProtocol

/// What people see from treadctl against a real daemon: on a terminal (tmux) the live panel
/// redrawn in place; through a pipe, plain lines, one per event.
@Suite(.serialized) struct TreadctlDisplayTests {
    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func watchOnATerminalRedrawsThePanelInPlace() throws {
        let rig = try TestRig()
        try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let tmux = try Tmux(command: [Binaries.path("treadctl"), "watch", "--socket", rig.socket])
        try tmux.await("the idle panel") { $0.contains("idle      no session") && $0.contains("drive online") }

        try rig.ctlChecked("start", "short")
        let reverse = try tmux.await("segment 2 of 3, reverse") { $0.contains("[■▶□]  2/3  ↓ reverse") }
        #expect(reverse.contains("[session_started] session started: short"), "events scroll above the panel:\n\(reverse)")
        #expect(count("segments  ", in: reverse) == 1, "one panel, redrawn in place, not a scrolling log:\n\(reverse)")
        #expect(count("progress  [", in: reverse) == 1)
        #expect(reverse.contains("rails     L held  R held"))
        #expect(reverse.contains("running   short · integration: forward, reverse, forward"))

        let done = try tmux.await("the session's end") { $0.contains("[session_finished]") && $0.contains("idle      ") }
        #expect(count("segments  ", in: done) == 1, "\(done)")
    }

    @Test func watchThroughAPipePrintsPlainLines() throws {
        let rig = try TestRig()
        try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let watch = try ManagedProcess(Binaries.path("treadctl"), ["watch", "--socket", rig.socket])
        defer { watch.terminate() }
        try watch.waitForLine("first status line") { $0.hasPrefix("idle | ") }
        try rig.ctlChecked("start", "short")
        try watch.waitForLine("session started") { $0 == "[session_started] session started: short" }
        try watch.waitForLine("a reverse status line") { $0.hasPrefix("running | short segment 2/3 | ↓ reverse | ") }
        try watch.waitForLine("finished") { $0.hasPrefix("[session_finished]") }
        #expect(!watch.output.contains { $0.contains("\u{1B}[") }, "no escape sequences in a pipe")
    }
}
