import Foundation
import Testing
import TreadProtocol

/// The wire format, pinned by golden files in Golden/ (one JSON line each). Tools and the
/// kiosk page parse these lines; a change here is a protocol change.
///
/// To accept an intended change: `GOLDEN_UPDATE=1 swift test --filter WireFormatTests`,
/// then review the diff of Tests/TreadProtocolTests/Golden.
@Suite struct WireFormatTests {
    static let goldenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
    static let updating = ProcessInfo.processInfo.environment["GOLDEN_UPDATE"] == "1"

    /// Compares `line` with Golden/<name>.json (or rewrites it when GOLDEN_UPDATE=1).
    func expectGolden(_ line: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = Self.goldenFolder.appendingPathComponent("\(name).json")
        if Self.updating {
            try FileManager.default.createDirectory(at: Self.goldenFolder, withIntermediateDirectories: true)
            try Data((line + "\n").utf8).write(to: url)
            return
        }
        guard let golden = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("missing golden file \(url.path); run with GOLDEN_UPDATE=1 to create it", sourceLocation: sourceLocation)
            return
        }
        #expect(line == golden.trimmingCharacters(in: .newlines), "wire format of \(name) changed", sourceLocation: sourceLocation)
    }

    static let fullStatus: Status = {
        var s = fullStatusWithoutWorkout
        s.member = "anna"
        s.distanceForwardM = 1520.4
        s.distanceReverseM = 210.5
        s.energyKcalEstimate = 88.2
        s.history = .init(state: "failing", path: "/var/lib/treadd/history.sqlite", error: "history database /var/lib/treadd/history.sqlite: disk full",
                          pending: 12, dropped: 0)
        return s
    }()

    static let fullStatusWithoutWorkout = Status(
        state: "running", program: "week1-first-steps", programTitle: "Week 1: first steps backwards (6% reverse)",
        segmentIndex: 2, segmentCount: 8, direction: "reverse", segmentDirection: "reverse",
        targetSpeedKmh: 2, beltSpeedKmh: 1.5, elapsedS: 312.5, remainingS: 1487.5, segmentRemainingS: 23.5,
        next: .init(direction: "forward", speedKmh: 4.5, inS: 23.5), phase: "running",
        notice: "Backwards: hold the rails, small steps, upright", pauseReason: "rails released",
        rails: .init(left: "held", right: "released"), estop: "closed", safetyKey: "inserted",
        enable: true, drive: "online", fault: .init(code: "drive_trip", message: "CE10: Modbus transmission time-out"))

    static let idleStatus = Status(state: "idle")

    @Test func statusWithEveryField() throws {
        try expectGolden(LineCoding.encode(Self.fullStatus), "status-full")
    }

    @Test func statusWithNils() throws {
        try expectGolden(LineCoding.encode(Self.idleStatus), "status-idle")
    }

    @Test func absentStatusValuesAreWrittenAsNull() throws {
        let line = LineCoding.encode(Self.idleStatus)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let full = try #require(try JSONSerialization.jsonObject(with: Data(LineCoding.encode(Self.fullStatus).utf8)) as? [String: Any])
        #expect(Set(object.keys) == Set(full.keys), "every key is always present")
        #expect(object.count == 30)
        for key in ["program", "program_title", "segment_index", "segment_count", "segment_direction", "segment_remaining_s",
                    "next", "notice", "pause_reason", "fault", "member", "distance_forward_m", "distance_reverse_m",
                    "energy_kcal_estimate", "history", "hold", "machine"] {
            #expect(object[key] is NSNull, "\(key) should be null")
        }
        #expect(!line.contains("\n"), "one line")
    }

    @Test func requestLine() throws {
        let r = Request(id: 7, method: .start, params: Params(program: "demo"))
        try expectGolden(LineCoding.encode(r), "request-start")
        let inline = Request(id: 8, method: .start, params: Params(programSource: ProgramSource(file: "my/run.toml", text: "title = \"x\"\n")))
        try expectGolden(LineCoding.encode(inline), "request-start-source")
        try expectGolden(LineCoding.encode(Request(id: nil, method: .simSet, params: Params(input: "rail_left", value: "held"))), "request-sim-set")
    }

    @Test func replyLines() throws {
        try expectGolden(LineCoding.encode(ServerMessage.reply(3, ResultBody(status: Self.idleStatus))), "reply-status")
        let programs = [ProgramSummary(name: "demo", title: "Demo", durationS: 600, reverseShare: 0.25, segments: 4)]
        try expectGolden(LineCoding.encode(ServerMessage.reply(4, ResultBody(programs: programs))), "reply-programs")
        try expectGolden(LineCoding.encode(ServerMessage.reply(5, ResultBody(message: "stopping"))), "reply-message")
    }

    @Test func errorLine() throws {
        try expectGolden(LineCoding.encode(ServerMessage.failure(9, code: "unknown_program", "unknown program 'x'; known programs: demo")), "error")
        try expectGolden(LineCoding.encode(ServerMessage.failure(nil, code: "bad_request", "not a request")), "error-no-id")
    }

    @Test func eventAndHelloLines() throws {
        try expectGolden(LineCoding.encode(ServerMessage(event: "rail_warning", message: "hold the rails", status: Self.fullStatus)), "event-rail-warning")
        try expectGolden(LineCoding.encode(ServerMessage(hello: Hello(version: "0.1.0"))), "hello")
    }

    @Test func eventLinesCarryTheirCategory() throws {
        try expectGolden(LineCoding.encode(ServerMessage(event: .progress, status: Self.idleStatus)), "event-progress")
        try expectGolden(LineCoding.encode(ServerMessage(event: .segmentStarted, message: "segment 2/8: reverse 2.0 km/h for 0:30", status: Self.idleStatus)),
                         "event-segment-started")
        try expectGolden(LineCoding.encode(ServerMessage(event: .fault, message: "fault: emergency stop pressed", status: Self.idleStatus)), "event-fault")
    }

    @Test func permissionDeniedLine() throws {
        try expectGolden(LineCoding.encode(ServerMessage.failure(3, code: .permissionDenied, "stop refused: kiosk (uid 1002) may read but not control the treadmill")),
                         "error-permission-denied")
    }

    @Test func everyDocumentedEventHasItsCategory() {
        let expected: [EventName: EventCategory] = [
            .progress: .progress, .fault: .fault, .railWarning: .warning, .waitingForRails: .warning, .railWarningCleared: .warning,
            .sessionStarted: .state, .segmentStarted: .state, .directionChange: .state, .paused: .state, .resumed: .state,
            .sessionFinished: .state, .sessionStopped: .state, .faultCleared: .state, .input: .state, .sessionAdjusted: .state,
        ]
        #expect(Set(EventName.documented) == Set(expected.keys))
        for (event, category) in expected { #expect(event.category == category, "\(event)") }
    }

    @Test func unknownEventAndErrorCodeFromANewerServerStillDecode() throws {
        let event = try LineCoding.decode(ServerMessage.self, from: #"{"event":"belt_waxed","category":"warning","message":"x"}"#)
        #expect(event.event?.rawValue == "belt_waxed")
        #expect(event.category == .warning, "the category the server sent is kept")
        let error = try LineCoding.decode(ServerMessage.self, from: #"{"id":1,"error":{"code":"too_hot","message":"motor too hot"}}"#)
        #expect(error.error?.code == ErrorCode(rawValue: "too_hot"))
    }

    @Test func encodedLinesRoundTrip() throws {
        let messages = [
            ServerMessage.reply(3, ResultBody(status: Self.fullStatus)),
            ServerMessage.failure(nil, code: "bad_request", "x"),
            ServerMessage(event: "progress", status: Self.idleStatus),
            ServerMessage(hello: Hello(version: "0.1.0")),
        ]
        for m in messages {
            #expect(try LineCoding.decode(ServerMessage.self, from: LineCoding.encode(m)) == m)
        }
    }

    // MARK: Decoding

    @Test func requestWithUnknownFieldsStillDecodes() throws {
        let line = #"{"id":12,"method":"start","params":{"program":"demo","speed":"fast"},"client":"kiosk","v":2}"#
        let r = try LineCoding.decode(Request.self, from: line)
        #expect(r == Request(id: 12, method: .start, params: Params(program: "demo")))
    }

    @Test func requestWithoutIdOrParamsDecodes() throws {
        let r = try LineCoding.decode(Request.self, from: #"{"method":"status"}"#)
        #expect(r.id == nil)
        #expect(r.params == nil)
        #expect(Method(rawValue: r.method) == .status)
    }

    @Test func unknownMethodDecodesForTheRouterToAnswer() throws {
        let r = try LineCoding.decode(Request.self, from: #"{"id":1,"method":"fly"}"#)
        #expect(r.method == "fly")
        #expect(Method(rawValue: r.method) == nil)
    }

    @Test(arguments: ["not json", "{\"id\":1,", "[1,2]", "", "{\"id\":1}", "{\"method\":42}"])
    func malformedLineThrows(_ line: String) {
        #expect(throws: (any Error).self) { try LineCoding.decode(Request.self, from: line) }
    }

    @Test func helloUsesTheProtocolKey() throws {
        let hello = try LineCoding.decode(ServerMessage.self, from: #"{"hello":{"service":"treadd","protocol":1,"version":"9.9"}}"#).hello
        #expect(hello == Hello(version: "9.9"))
        #expect(hello?.protocolVersion == ProtocolVersion.current)
    }
}
