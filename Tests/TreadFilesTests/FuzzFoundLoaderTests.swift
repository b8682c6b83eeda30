import Testing
import TreadCore
@testable import TreadFiles

/// Program files that crashed the loader under fuzzing (Fuzz/regressions/program): each must
/// now be a located error.
@Suite struct FuzzFoundLoaderTests {
    static let step = """
        [[steps]]
        direction = "forward"
        speed_kmh = 3.0

        """

    /// toml++ asserted (aborting treadd, reachable from any socket client via
    /// programs.validate) on a table header that does not start with a key.
    @Test(arguments: ["[[# week 4]]", "[#]", "[ =a]", "[[.steps]]", "[", "[[ \r", "  [[\tsteps.#]]"])
    func keylessTableHeaderIsALocatedError(header: String) throws {
        let text = "title = \"x\"\n" + Self.step + "duration = \"1m\"\n" + header + "\n"
        let errors = programErrors(text)
        if header.contains(".#") {
            // `steps.#` starts with a key; the parser itself refuses the `#` after the dot.
            #expect(errors.first?.message.hasPrefix("not valid TOML") == true)
        } else {
            #expect(errors.count == 1)
            #expect(errors.first?.line == 6)
            #expect(errors.first?.message.contains("table header must start with a key") == true)
        }
    }

    /// toml++ skips a byte-order mark, so a keyless header right after one asserted too
    /// (Fuzz/regressions/program/keyless-header-after-a-byte-order-mark-aborts-tomlplusplus).
    @Test(arguments: ["[#", "[[ =", "["])
    func keylessHeaderAfterAByteOrderMarkIsALocatedError(header: String) {
        let errors = programErrors("\u{FEFF}" + header + "\ntitle = \"x\"\n")
        #expect(errors.count == 1)
        #expect(errors.first?.line == 1, "\(errors)")
        #expect(errors.first?.message.contains("table header must start with a key") == true, "\(errors)")
    }

    @Test func aByteOrderMarkBeforeAValidFileIsNotRefused() {
        #expect(TOMLParserGuard.firstRefusal(in: "\u{FEFF}[table]\nkey = 1\n") == nil)
    }

    /// toml++ asserted on a date-time whose `T` is not followed by a time
    /// (Fuzz/regressions/program/date-time-without-a-time-aborts-tomlplusplus).
    @Test(arguments: ["d = 1979-05-27T=07:32:00Z", "d = 1979-05-27t:07", "d = [1979-05-27T-07:32]", "d = [1, 1979-05-27Tx:1]",
                      "d = { e = 1979-05-27T:00 }", "d = 1979-05-27T"])
    func dateTimeWithoutATimeIsALocatedError(line: String) {
        let errors = programErrors("title = \"x\"\n" + line + "\n")
        #expect(errors.count == 1)
        #expect(errors.first?.line == 2, "\(errors)")
        #expect(errors.first?.message.contains("needs a time") == true, "\(errors)")
    }

    /// Date-times that are fine, and keys that look like one (a bare key may be `1979-05-27Tx`).
    @Test func validDateTimesAndDateLikeKeysAreLeftToTheParser() {
        let text = """
            a = 1979-05-27T07:32:00Z
            b = 1979-05-27 07:32:00
            c = [1979-05-27t07:32:00.5+01:00, 1979-05-27]
            1979-05-27Tx = "a key"
            d = { 1979-05-27T = 1, e = 1979-05-27T00:00:00 }
            f = "1979-05-27T=07"
            """
        #expect(TOMLParserGuard.firstRefusal(in: text) == nil)
        #expect(throws: Never.self) { try TOMLDocument(text: text, file: "t.toml") }
    }

    /// A multi-line string may end in one or two quotes of its own; the guard must not read
    /// them as a new string, or a keyless header after it would get through to toml++.
    @Test(arguments: [#"a = ["""x"""", 1]"#, #"a = ['''x''''', 1]"#, #"a = ["""x""""", 1]"#])
    func quotesEndingAMultiLineStringDoNotHideAKeylessHeader(value: String) {
        let errors = programErrors("title = \"x\"\n" + value + "\n[#]\n")
        #expect(errors.count == 1)
        #expect(errors.first?.line == 3, "\(errors)")
        #expect(errors.first?.message.contains("table header must start with a key") == true, "\(errors)")
        #expect(throws: Never.self) { try TOMLDocument(text: "title = \"x\"\n" + value + "\n", file: "t.toml") }
    }

    /// What looks like a keyless header but is not one: inside strings, comments and arrays.
    @Test func bracketsInsideValuesAreNotHeaders() {
        let text = #"""
            title = "[#"
            description = """
            [# not a header
            """
            # [# nor this
            [[steps]]
            direction = "forward"
            speed_kmh = 3.0
            duration = "1m"
            message = '[='
            """#
        #expect(TOMLParserGuard.firstRefusal(in: text) == nil)
        let nested = "a = [\n  [ # a nested array, with a comment\n    1 ],\n]\n"
        #expect(TOMLParserGuard.firstRefusal(in: nested) == nil)
    }

    /// toml++ asserted on a `}` where an array expects a value (Fuzz/regressions/program/
    /// brace-in-array-aborts-tomlplusplus: `message = [ [}m`, found by CI's fuzz run).
    @Test(arguments: ["message = [ }", "message = [ [}m", "message = [1, }", "message = [\n  # why\n  }", "message = [[1], }]",
                      "message = [{ a = 1 }, }"])
    func braceWhereAnArrayExpectsAValueIsALocatedError(value: String) {
        let text = "title = \"x\"\n" + Self.step + "duration = \"1m\"\n" + value + "\n"
        let errors = programErrors(text)
        #expect(errors.count == 1)
        let line = 6 + value.filter { $0 == "\n" }.count
        #expect(errors.first?.line == line, "\(errors)")
        #expect(errors.first?.message.contains("'}' inside an array") == true, "\(errors)")
    }

    /// Braces that belong: inline tables inside arrays, and braces in strings and comments.
    @Test func bracesThatCloseInlineTablesAreLeftToTheParser() {
        let text = #"""
            a = [{ b = 1 }, { c = "}" }, [{ d = '}' }]]
            e = [ # }
              1 ]
            f = { g = [1, 2], h = { i = "]}" } }
            """#
        #expect(TOMLParserGuard.firstRefusal(in: text) == nil)
    }

    @Test(arguments: ["duration_s = nan", "duration_s = inf", "duration_s = 1e300", "duration = \"9223372036854775807:00\"",
                      "duration = \"99999999999999999999h\"", "duration = \"1e400s\""])
    func durationNoDurationCanHoldIsALocatedError(line: String) {
        let text = "title = \"x\"\n" + Self.step + line + "\n"
        let errors = programErrors(text)
        #expect(errors.count == 1)
        #expect(errors.first?.line == 5, "\(errors)")
    }

    @Test func durationParsingStillReadsEveryDocumentedForm() {
        #expect(parseDuration("90s") == .seconds(90))
        #expect(parseDuration("1m30s") == .seconds(90))
        #expect(parseDuration("1:30") == .seconds(90))
        #expect(parseDuration("2h") == .seconds(7200))
        #expect(parseDuration("153722867280912930:00") == nil, "minutes beyond Int when multiplied by 60")
    }

    /// A message with an escaped form feed loaded, and rendered it raw, which the parser then
    /// refused (the program fuzz target's round-trip check). The input is a valid program, so it
    /// is kept here rather than in Fuzz/regressions/program, whose inputs the daemon tests send
    /// expecting each to be refused. Every escape TOML allows in a basic string must come back
    /// as the same message.
    @Test(arguments: [#"\f"#, #"\b"#, #"\t"#, #"\r"#, #"\u0001"#, #"\u007F"#, #"\u001F"#, #"a\\\fb"#, #"\"\n\""#])
    func aMessageWithAnEscapeRendersToTextThatLoadsAsTheSameMessage(escape: String) throws {
        let text = "title = \"x\"\n" + Self.step + "duration = \"1m\"\nmessage = \"before \(escape) after\"\n"
        let program = try ProgramFile.parse(text, file: "fuzz.toml")
        let rendered = ProgramFile.render(program)
        let again = try ProgramFile.parse(rendered, file: "rendered.toml", name: program.name)
        #expect(again.segments.first?.message == program.segments.first?.message, "\(rendered)")
        #expect(program.segments.first?.message?.contains("before") == true)
    }

    /// `speed_kmh = 1.5e41` loads (limits are the machine's, checked later) and trapped when
    /// written back with one decimal (the program fuzz target's render). The input is a valid
    /// program, so it seeds the fuzzer (Fuzz/corpus/program/speed-beyond-any-belt-...) instead
    /// of sitting in Fuzz/regressions/program. It renders in full and loads as the same speed.
    @Test func aSpeedBeyondAnyBeltRendersAndLoadsAsTheSameSpeed() throws {
        let text = "title = \"x\"\n" + Self.step.replacingOccurrences(of: "speed_kmh = 3.0", with: "speed_kmh = 155555555555555555555555555555555555555555.0")
            + "duration = \"1m\"\n"
        let program = try ProgramFile.parse(text, file: "fuzz.toml")
        let rendered = ProgramFile.render(program)
        #expect(rendered.contains("speed_kmh = 1.5555555555555556e+41"), "\(rendered)")
        let again = try ProgramFile.parse(rendered, file: "rendered.toml", name: program.name)
        #expect(again.segments.first?.speed == program.segments.first?.speed)
    }
}
