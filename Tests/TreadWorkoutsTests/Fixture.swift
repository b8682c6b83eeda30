import Foundation
import TreadWorkouts

/// The small .zwo files in Fixtures/, written for these tests.
enum Fixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name + ".zwo").path }

    static func data(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(name))) }

    static func read(_ name: String) throws -> ZwiftWorkoutFile { try ZwiftWorkoutFile.read(try data(name), file: name + ".zwo") }

    /// 5k at 6:00/km: 10 km/h, so Power 0.8 at pace="1" is 8 km/h.
    static let fiveK = ReferencePaces([.fiveK: 360])

    static func options(share: Double = 0, paces: ReferencePaces = fiveK) -> ZwiftImport.Options {
        ZwiftImport.Options(name: "imported", paces: paces, reverseShare: share)
    }

    /// A workout in a string, for one-block cases: `blocks` go inside `<workout>`.
    static func workout(_ blocks: String, sport: String? = "run", extra: String = "") throws -> ZwiftWorkoutFile {
        let sportLine = sport.map { "<sportType>\($0)</sportType>" } ?? ""
        let xml = "<workout_file>\n<name>T</name>\n\(sportLine)\n\(extra)\n<workout>\n\(blocks)\n</workout>\n</workout_file>\n"
        return try ZwiftWorkoutFile.read(Data(xml.utf8), file: "t.zwo")
    }
}
