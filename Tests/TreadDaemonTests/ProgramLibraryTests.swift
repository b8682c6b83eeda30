import Foundation
import Testing
import TreadTesting
import TreadCore
@testable import TreadDaemon

/// The programs folder: read once, broken files reported with file:line and never in the
/// way of the good ones; and the shipped programs are what TRAINING.md promises.
@Suite struct ProgramLibraryTests {
    static let good = """
        title = "Good"

        [[steps]]
        direction = "forward"
        speed_kmh = 3.0
        duration = "2m"

        [[steps]]
        direction = "reverse"
        speed_kmh = 2.0
        duration_s = 30
        """

    static let broken = """
        title = "Broken"

        [[steps]]
        direction = "forward"
        speed_kmh = "fast"
        duration = "2m"
        """

    @Test func goodProgramLoadsAndBrokenOneIsReportedWithItsLine() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        try dir.write("good.toml", Self.good)
        let brokenPath = try dir.write("broken.toml", Self.broken)
        try dir.write("notes.txt", "not a program")
        let brokenLine = try #require(TOMLText(Self.broken).line(of: "speed_kmh", in: "steps"))

        let lib = ProgramLibrary(directory: dir.path, parser: .beside())
        #expect(lib.programs.keys.sorted() == ["good"])
        #expect(lib.broken.keys.sorted() == ["broken"])

        let p = try lib.program(named: "good")
        #expect(p.name == "good")
        #expect(p.title == "Good")
        #expect(p.segments.map(\.direction) == [.forward, .reverse])
        #expect(p.totalDuration == .seconds(150))

        let errors = try #require(lib.broken["broken"]).errors
        #expect(errors.count == 1)
        #expect(errors.first?.file == brokenPath)
        #expect(errors.first?.line == brokenLine)
        #expect(errors.first?.key == "steps[0].speed_kmh")

        #expect {
            try lib.program(named: "broken")
        } throws: { e in
            guard case .broken(let name, _) = e as? ProgramLibrary.LookupError else { return false }
            return name == "broken" && "\(e)".contains("\(brokenPath):\(brokenLine):")
        }
    }

    @Test func unknownNameListsTheKnownPrograms() throws {
        let dir = try TempFolder()
        defer { dir.remove() }
        try dir.write("b-good.toml", Self.good)
        try dir.write("a-good.toml", Self.good)
        try dir.write("broken.toml", Self.broken)
        let lib = ProgramLibrary(directory: dir.path, parser: .beside())
        #expect {
            try lib.program(named: "nope")
        } throws: { e in
            guard case .unknown(let n, known: let known) = e as? ProgramLibrary.LookupError, n == "nope" else { return false }
            return known == ["a-good", "b-good"] && "\(e)".contains("a-good, b-good")
        }
    }

    @Test func missingFolderIsAnEmptyLibrary() {
        let lib = ProgramLibrary(directory: "/nonexistent/programs", parser: .beside())
        #expect(lib.programs.isEmpty)
        #expect(lib.broken.isEmpty)
        #expect(throws: ProgramLibrary.LookupError.self) { try lib.program(named: "demo") }
    }

    // MARK: The shipped programs

    static let shippedFiles: [String] = {
        ((try? FileManager.default.contentsOfDirectory(atPath: PackagePaths.programs)) ?? [])
            .filter { $0.hasSuffix(".toml") }.map { String($0.dropLast(5)) }.sorted()
    }()

    @Test func everyShippedProgramLoads() throws {
        let lib = ProgramLibrary(directory: PackagePaths.programs, parser: .beside())
        #expect(lib.broken.isEmpty, "\(lib.broken.values.map(\.description))")
        #expect(!Self.shippedFiles.isEmpty)
        #expect(lib.programs.keys.sorted() == Self.shippedFiles)
    }

    @Test(arguments: shippedFiles)
    func shippedProgramStartsAndEndsForwardsWithinTheDemoLimits(name: String) throws {
        let lib = ProgramLibrary(directory: PackagePaths.programs, parser: .beside())
        let p = try lib.program(named: name)
        #expect(p.segments.first?.direction == .forward)
        #expect(p.segments.last?.direction == .forward)
        let limits = try DaemonConfig.load(path: PackagePaths.demoConfig).limits
        #expect(p.violations(against: limits).isEmpty, "\(p.violations(against: limits))")
    }

    @Test func week1HasAFewPercentReverse() throws {
        let p = try ProgramLibrary(directory: PackagePaths.programs, parser: .beside()).program(named: "week1-first-steps")
        #expect((0.05...0.10).contains(p.reverseShare), "reverse share \(p.reverseShare)")
    }

    @Test func target4060Has40PercentReverse() throws {
        let p = try ProgramLibrary(directory: PackagePaths.programs, parser: .beside()).program(named: "target-40-60")
        #expect(abs(p.reverseShare - 0.40) <= 0.01, "reverse share \(p.reverseShare)")
        #expect(p.totalDuration == .seconds(3600))
    }
}
