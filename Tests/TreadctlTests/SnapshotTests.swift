import Foundation
import Testing
import TreadProtocol
@testable import treadctl

/// treadctl's text output against snapshots in Snapshots/. People read these lines and
/// scripts grep them; a change should be a decision, seen in review.
///
/// To accept an intended change: `SNAPSHOT_UPDATE=1 swift test --filter TreadctlTests`,
/// then review the diff of Tests/TreadctlTests/Snapshots.
@Suite struct SnapshotTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    static let updating = ProcessInfo.processInfo.environment["SNAPSHOT_UPDATE"] == "1"

    func expectSnapshot(_ text: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Self.folder.appendingPathComponent("\(name).txt")
        if Self.updating {
            try Data((text + "\n").utf8).write(to: url)
            return
        }
        guard let snapshot = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing snapshot \(url.path); run with SNAPSHOT_UPDATE=1 to create it", sourceLocation: sourceLocation)
            return
        }
        #expect(text == String(snapshot.dropLast()), "output of \(name) changed:\n\(text)", sourceLocation: sourceLocation)
    }

    @Test func statusLines() throws {
        let text = Fixtures.all.map { "\($0.name): \(StatusLine.describe($0.status))" }.joined(separator: "\n")
        try expectSnapshot(text, "status-lines")
    }

    @Test(arguments: Fixtures.all.map(\.name))
    func liveDisplayFrames(_ name: String) throws {
        let status = try #require(Fixtures.all.first { $0.name == name }).status
        let frame = LiveDisplay.render(status, width: 100)
        #expect(frame.count == LiveDisplay.lineCount, "every frame has the same height, so a redraw covers the last")
        try expectSnapshot(frame.joined(separator: "\n"), "live-\(name)")
    }

    @Test func liveDisplayFitsANarrowTerminal() throws {
        let frame = LiveDisplay.render(Fixtures.reverse, width: 40)
        #expect(frame.allSatisfy { $0.count <= 40 }, "a line that wraps would break the in-place redraw")
        try expectSnapshot(frame.joined(separator: "\n"), "live-narrow")
    }

    @Test func eventLines() throws {
        let events = [
            ServerMessage(event: .sessionStarted, message: "session started: demo", status: Fixtures.reverse),
            ServerMessage(event: .directionChange, message: "stopping to change direction: reverse in 1.0 s", status: Fixtures.reverse),
            ServerMessage(event: .railWarning, message: "rail released: hold the rails or the belt stops in 1.0 s", status: Fixtures.reverse),
            ServerMessage(event: .fault, message: "fault: emergency stop pressed", status: Fixtures.fault),
            ServerMessage(event: "belt_waxed", status: Fixtures.idle),
        ]
        try expectSnapshot(events.map(EventLine.describe).joined(separator: "\n"), "event-lines")
    }

    @Test func programsList() throws {
        let list = [
            ProgramSummary(name: "demo", title: "Demo: forward, reverse, forward", durationS: 80, reverseShare: 0.3, segments: 3),
            ProgramSummary(name: "week1-first-steps", title: "Week 1: first steps backwards", durationS: 1800, reverseShare: 0.06, segments: 8),
        ]
        try expectSnapshot(describe(list).joined(separator: "\n"), "programs-list")
    }

    @Test func exitStatusTable() throws {
        try expectSnapshot(ExitStatus.table, "exit-codes")
    }
}

/// Statuses a member or technician meets, built by hand so nothing here depends on a clock.
enum Fixtures {
    static let idle = Status(state: "idle", rails: .init(left: "released", right: "released"), drive: "online")

    static let reverse = Status(
        state: "running", program: "demo", programTitle: "Demo: forward, reverse, forward", segmentIndex: 2, segmentCount: 3,
        direction: "reverse", segmentDirection: "reverse", targetSpeedKmh: 2, beltSpeedKmh: 1.94, elapsedS: 31.2, remainingS: 48.8,
        segmentRemainingS: 23.8, next: .init(direction: "forward", speedKmh: 3, inS: 23.8), phase: "running", notice: "Walk backwards",
        rails: .init(left: "held", right: "held"), enable: true, drive: "online")

    static let paused = Status(
        state: "paused", program: "demo", programTitle: "Demo: forward, reverse, forward", segmentIndex: 2, segmentCount: 3,
        direction: "none", segmentDirection: "reverse", targetSpeedKmh: 0, beltSpeedKmh: 0, elapsedS: 40, remainingS: 40,
        segmentRemainingS: 15, phase: "stopped", pauseReason: "rails released during reverse; hold the rails and resume",
        rails: .init(left: "held", right: "released"), drive: "online")

    static let fault = Status(
        state: "fault", direction: "none", phase: "stopped", rails: .init(left: "released", right: "released"), estop: "open",
        drive: "online", fault: .init(code: "estop", message: "emergency stop pressed"))

    static let all: [(name: String, status: Status)] = [("idle", idle), ("reverse", reverse), ("paused", paused), ("fault", fault)]
}
