import Testing
import TreadCore
import TreadFiles

/// The 1-based line of the first line of `text` containing `needle` (after `occurrence - 1` others).
func lineOf(_ needle: String, in text: String, occurrence: Int = 1) -> Int? {
    var seen = 0
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where line.contains(needle) {
        seen += 1
        if seen == occurrence { return i + 1 }
    }
    return nil
}

/// The errors `ProgramFile.parse` reports for `text`; records an issue if it parses.
func programErrors(_ text: String, file: String = "programs/week1.toml") -> [FileError] {
    do {
        let p = try ProgramFile.parse(text, file: file)
        Issue.record("expected errors, got a program with \(p.segments.count) segments")
        return []
    } catch {
        return error.errors
    }
}

@Suite struct ProgramFileTests {
    static let week1 = """
        title = "Week 1"
        description = "first steps backwards"

        [[steps]]
        direction = "forward"
        speed_kmh = 4.0
        duration = "90s"
        message = "warm up"

        [[steps]]
        repeat = 3
          [[steps.segments]]
          direction = "reverse"
          speed_kmh = 2.5
          duration = "1:30"
          [[steps.segments]]
          direction = "forward"
          speed_kmh = 5
          duration_s = 45

        [[steps]]
        direction = "forward"
        speed_kmh = 3.5
        duration = "2m"
        """

    @Test func parsesSegmentsAndRepeatBlocks() throws {
        let text = Self.week1
        let p = try ProgramFile.parse(text, file: "programs/week1.toml")
        #expect(p.name == "week1")
        #expect(p.title == "Week 1")

        let warmUp = Segment(direction: .forward, speed: .kmh(4), duration: .seconds(90), message: "warm up",
                             line: lineOf("[[steps]]", in: text, occurrence: 1))
        let back = Segment(direction: .reverse, speed: .kmh(2.5), duration: .seconds(90),
                           line: lineOf("[[steps.segments]]", in: text, occurrence: 1))
        let fwd = Segment(direction: .forward, speed: .kmh(5), duration: .seconds(45),
                          line: lineOf("[[steps.segments]]", in: text, occurrence: 2))
        let cool = Segment(direction: .forward, speed: .kmh(3.5), duration: .seconds(120),
                           line: lineOf("[[steps]]", in: text, occurrence: 3))
        #expect(p.items == [.segment(warmUp), .repeated(times: 3, segments: [back, fwd]), .segment(cool)])
        #expect(p.segments == [warmUp, back, fwd, back, fwd, back, fwd, cool])
        #expect(p.totalDuration == .seconds(90 + 3 * (90 + 45) + 120))
    }

    @Test func titleDefaultsToFileName() throws {
        let p = try ProgramFile.parse("""
            [[steps]]
            direction = "forward"
            speed_kmh = 3
            duration = "1m"
            """, file: "/etc/treadd/programs/intro.toml")
        #expect(p.name == "intro")
        #expect(p.title == "intro")
    }

    @Test(arguments: [
        ("duration = \"90s\"", 90.0), ("duration = \"2m\"", 120), ("duration = \"1m30s\"", 90),
        ("duration = \"1:30\"", 90), ("duration = \"0:05\"", 5), ("duration_s = 75", 75), ("duration_s = 12.5", 12.5),
    ])
    func durationForms(line: String, seconds: Double) throws {
        let p = try ProgramFile.parse("""
            [[steps]]
            direction = "forward"
            speed_kmh = 3
            \(line)
            """, file: "d.toml")
        #expect(p.segments.map(\.duration) == [.fractionalSeconds(seconds)])
    }

    @Test(arguments: ["abc", "1:75", "90x", "1m30", "", "-5s", "m"])
    func malformedDurationIsAnError(text: String) throws {
        #expect(parseDuration(text) == nil)
        let toml = """
            [[steps]]
            direction = "forward"
            speed_kmh = 3
            duration = "\(text)"
            """
        let errors = programErrors(toml)
        let e = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(e.key == "steps[0].duration")
        #expect(e.line == 4)
    }

    @Test func wrongDirectionNamesFileLineAndKey() throws {
        let text = """
            title = "Oops"
            [[steps]]
            direction = "forward"
            speed_kmh = 3
            duration = "1m"
            [[steps]]
            direction = "backward"
            speed_kmh = 2
            duration = "1m"
            """
        let errors = programErrors(text, file: "programs/oops.toml")
        #expect(errors.count == 1)
        let e = try #require(errors.first)
        #expect(e.file == "programs/oops.toml")
        #expect(e.line == lineOf("backward", in: text))
        #expect(e.key == "steps[1].direction")
        #expect(e.message.contains("backward"))
        #expect(e.description.hasPrefix("programs/oops.toml:7: steps[1].direction: "))
    }

    @Test func negativeSpeedIsAnError() throws {
        let text = """
            [[steps]]
            direction = "forward"
            speed_kmh = 3
            duration = "1m"

            [[steps]]
            direction = "reverse"
            # a typo made this negative
            speed_kmh = -2.0
            duration = "1m"
            """
        let e = try #require(programErrors(text).first)
        #expect(e.key == "steps[1].speed_kmh")
        #expect(e.line == lineOf("-2.0", in: text))
        #expect(e.file == "programs/week1.toml")
    }

    @Test func missingDurationPointsAtTheSegment() throws {
        let text = """
            [[steps]]
            direction = "forward"
            speed_kmh = 3
            duration = "1m"
            [[steps]]
            direction = "forward"
            speed_kmh = 3
            message = "no duration here"
            """
        let errors = programErrors(text)
        #expect(errors.count == 1)
        let e = try #require(errors.first)
        #expect(e.key == "steps[1]")
        #expect(e.line == lineOf("[[steps]]", in: text, occurrence: 2))
        #expect(e.message.contains("duration"))
    }

    @Test func unknownKeyTypoIsAnErrorNotADefault() throws {
        let text = """
            [[steps]]
            direction = "forward"
            sped_kmh = 3
            duration = "1m"
            """
        let errors = programErrors(text)
        let e = try #require(errors.first)
        #expect(errors.count == 1)
        #expect(e.key == "steps[0].sped_kmh")
        #expect(e.line == 3)
        #expect(e.message.contains("unknown key"))
        #expect(e.message.contains("speed_kmh"))
    }

    @Test func invalidSyntaxTakesTheLineFromTheParser() throws {
        let text = """
            title = "Broken"

            [[steps]]
            direction = "forward"
            speed_kmh = = 3
            duration = "1m"
            """
        let errors = programErrors(text, file: "broken.toml")
        #expect(errors.count == 1)
        let e = try #require(errors.first)
        #expect(e.file == "broken.toml")
        #expect(e.line == lineOf("= = 3", in: text))
        #expect(e.key == nil)
        #expect(e.message.hasPrefix("not valid TOML"))
    }

    @Test func reportsEveryErrorAtOnce() throws {
        let text = """
            titel = "Week 2"

            [[steps]]
            direction = "sideways"
            speed_kmh = 3
            duration = "1m"

            [[steps]]
            direction = "forward"
            sped_kmh = 3
            duration = "1m"

            [[steps]]
            repeat = 2
              [[steps.segments]]
              direction = "reverse"
              speed_kmh = 2
              duration = "30s"
              [[steps.segments]]
              direction = "forward"
              speed_kmh = 0
              duration = "30s"

            [[steps]]
            direction = "forward"
            speed_kmh = 3
            """
        let errors = programErrors(text)
        #expect(errors.map(\.key) == ["titel", "steps[0].direction", "steps[1].sped_kmh",
                                      "steps[2].segments[1].speed_kmh", "steps[3]"])
        #expect(errors.map(\.line) == [lineOf("titel", in: text), lineOf("sideways", in: text),
                                       lineOf("sped_kmh", in: text), lineOf("speed_kmh = 0", in: text),
                                       lineOf("[[steps]]", in: text, occurrence: 4)])
        #expect(errors.allSatisfy { $0.file == "programs/week1.toml" })
    }

    @Test(arguments: [0, 101, -1])
    func repeatCountOutOfRange(times: Int) throws {
        let text = """
            [[steps]]
            direction = "forward"
            speed_kmh = 3
            duration = "1m"
            [[steps]]
            repeat = \(times)
              [[steps.segments]]
              direction = "forward"
              speed_kmh = 3
              duration = "1m"
            """
        let e = try #require(programErrors(text).first)
        #expect(e.key == "steps[1].repeat")
        #expect(e.line == 6)
    }

    @Test func programWithoutStepsIsAnError() throws {
        let e = try #require(programErrors("title = \"Empty\"\n").first)
        #expect(e.key == "steps")
    }
}
