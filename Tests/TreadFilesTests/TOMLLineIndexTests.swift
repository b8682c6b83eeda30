import Testing
import TreadCore
import TreadFiles

/// The line index is internal; these tests reach it through the errors that
/// `TOMLDocument` and `ProgramFile` report, and check each line against the text itself.
@Suite struct TOMLLineIndexTests {
    @Test func nestedRepeatBlocksAreCountedPerParent() throws {
        let text = """
            [[steps]]
            repeat = 2
              [[steps.segments]]
              direction = "forward"
              speed_kmh = 3
              duration = "1m"

            [[steps]]
            repeat = 2
              [[steps.segments]]
              direction = "reverse"
              speed_kmh = 2
              duration = "1m"
              [[steps.segments]]
              direction = "forward"
              speed_kmh = 3
              duration = "soon"
            """
        let e = try #require(programErrors(text).first)
        #expect(e.key == "steps[1].segments[1].duration")
        #expect(e.line == lineOf("soon", in: text))
    }

    @Test func inlineTablesInAMultiLineArray() throws {
        let text = """
            title = "Inline"
            steps = [
              { direction = "forward", speed_kmh = 3, duration = "1m" },
              # a comment between entries
              { direction = "reverse", speed_kmh = -2, duration = "1m" },
              { direction = "forward", speed_kmh = 3, duration = "1m", colour = "red" },
            ]
            """
        let errors = programErrors(text)
        #expect(errors.map(\.key) == ["steps[1].speed_kmh", "steps[2].colour"])
        #expect(errors.map(\.line) == [lineOf("-2", in: text), lineOf("colour", in: text)])
    }

    @Test func commentsBlankLinesAndHeaderCommentsDoNotShiftLines() throws {
        let text = """
            # Week 3
            # two comment lines

            title = "Week 3"   # trailing comment

            [[steps]]   # warm-up
            direction = "forward"
            speed_kmh = 3
            duration = "1m"   # a minute

            [[steps]]
            # reverse bit
            direction = "reverse"

            speed_kmh = 2
            duration = "forever"
            """
        let e = try #require(programErrors(text).first)
        #expect(e.key == "steps[1].duration")
        #expect(e.line == lineOf("forever", in: text))
    }

    @Test func windowsLineEndings() throws {
        let lines = [
            "title = \"CRLF\"",
            "[[steps]]",
            "direction = \"forward\"",
            "speed_kmh = 3",
            "duration = \"1m\"",
            "[[steps]]",
            "direction = \"upward\"",
            "speed_kmh = 3",
            "duration = \"1m\"",
        ]
        let e = try #require(programErrors(lines.joined(separator: "\r\n")).first)
        #expect(e.key == "steps[1].direction")
        #expect(e.line == 7)
    }

    @Test func wrongTypeInATableIsLocated() throws {
        let text = """
            [machine]
            max_forward_kmh = 16

            [machine.rails]
            rule = "both"
            grace_s = "one"
            """
        let doc = try TOMLDocument(text: text, file: "treadd.toml")
        let rails = try #require(try doc.root.section("machine")?.section("rails"))
        #expect(try rails.string("rule") == "both")
        let error = #expect(throws: FileError.self) { try rails.double("grace_s") }
        #expect(error?.file == "treadd.toml")
        #expect(error?.key == "machine.rails.grace_s")
        #expect(error?.line == 6)
        #expect(try rails.double("absent") == nil)
    }

    @Test func missingKeyFallsBackToTheEnclosingTable() throws {
        let text = """
            [machine]
            max_forward_kmh = 16

            [drive]
            port = "/dev/ttyUSB0"
            """
        let doc = try TOMLDocument(text: text, file: "treadd.toml")
        let drive = try #require(try doc.root.section("drive"))
        let error = #expect(throws: FileError.self) { try drive.required("baud", drive.int) }
        #expect(error?.key == "drive.baud")
        #expect(error?.line == 4)
    }

    @Test func syntaxErrorLineComesFromTheParser() throws {
        let text = """
            [machine]
            max_forward_kmh = 16
            max_reverse_kmh = 4 4
            start_kmh = 1.0
            """
        let error = #expect(throws: FileError.self) { try TOMLDocument(text: text, file: "bad.toml") }
        #expect(error?.file == "bad.toml")
        #expect(error?.line == 3)
    }
}
