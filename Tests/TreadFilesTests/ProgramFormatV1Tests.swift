import Testing
import TreadCore
import TreadFiles

/// Format version 1 additions: version, warm-up and cool-down tables, incline, and the
/// limits checks that name the line.
@Suite struct ProgramFormatV1Tests {
    static let text = """
        version = 1
        title = "v1"

        [warmup]
        speed_kmh = 4.0
        duration = "3m"

        [[steps]]
        direction = "reverse"
        speed_kmh = 2.0
        duration = "1m"
        incline_pct = 2

        [cooldown]
        speed_kmh = 3.5
        duration = "2m"
        """

    @Test func warmupAndCooldownWrapTheSteps() throws {
        let p = try ProgramFile.parse(Self.text, file: "v1.toml")
        #expect(p.segments.map(\.role) == [.warmup, .main, .cooldown])
        #expect(p.segments.map(\.direction) == [.forward, .reverse, .forward])
        #expect(p.segments[1].incline == 2)
        #expect(p.totalDuration == .seconds(360))
    }

    @Test func aReverseWarmupIsAnErrorOnItsLine() {
        let text = Self.text.replacingFirst("[warmup]\n", with: "[warmup]\ndirection = \"reverse\"\n")
        let errors = programErrors(text, file: "v1.toml")
        #expect(errors.count == 1)
        #expect(errors.first?.line == lineOf("direction = \"reverse\"", in: text))
        #expect(errors.first?.message.contains("always forwards") == true)
    }

    @Test func anotherVersionIsRefused() {
        let errors = programErrors(Self.text.replacingFirst("version = 1", with: "version = 2"))
        #expect(errors.first?.key == "version")
    }

    @Test func inclineOnAFlatMachineAndShortRampsAreViolationsWithLines() throws {
        let p = try ProgramFile.parse(Self.text, file: "v1.toml")
        let flat = p.violations(against: MachineLimits())
        #expect(flat.contains { $0.message.contains("no incline") && $0.line == lineOf("[[steps]]", in: Self.text) })
        var inclined = MachineLimits()
        inclined.maxIncline = 10
        #expect(p.violations(against: inclined).isEmpty)

        let short = program(seg(.forward, 8, 2, line: 7))
        let v = short.violations(against: MachineLimits(acceleration: 1.0))
        #expect(v.contains { $0.line == 7 && $0.message.contains("too short to reach") })
    }
}

extension String {
    func replacingFirst(_ a: String, with b: String) -> String {
        guard let r = range(of: a) else { return self }
        return replacingCharacters(in: r, with: b)
    }
}
