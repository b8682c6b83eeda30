import Foundation

/// The independent checks of exported activity files, shared by the encoders' unit tests and
/// the integration tests: Garmin's published TCX schema through `xmllint`, and two FIT
/// readers from PyPI through scripts/fit-summary.py. Both are installed by
/// scripts/install-deps.sh; a missing tool is a failure with that hint, never a skip.
public enum ExportValidation {
    public static let xmllint = "/usr/bin/xmllint"
    public static let python = "/opt/treadd-pyenv/bin/python"
    /// TrainingCenterDatabasev2.xsd as Garmin published it (see the README beside it).
    public static let tcxSchema = PackagePaths.root.appendingPathComponent("Tests/TreadExportTests/Fixtures/TrainingCenterDatabasev2.xsd").path
    public static let fitSummaryScript = PackagePaths.root.appendingPathComponent("scripts/fit-summary.py").path

    public struct ToolMissing: Error, CustomStringConvertible {
        public var tool: String
        public var description: String { "\(tool) is not installed: run scripts/install-deps.sh" }
    }

    /// `xmllint --noout --schema TrainingCenterDatabasev2.xsd FILE`: status 0 and "FILE validates" when valid.
    public static func validateTCX(_ file: String) throws -> Subprocess {
        guard FileManager.default.isExecutableFile(atPath: xmllint) else { throw ToolMissing(tool: xmllint) }
        return try Subprocess.run(xmllint, ["--noout", "--schema", tcxSchema, file])
    }

    /// What fitdecode and fitparse both read from a FIT file (they must agree, and both check the CRCs).
    public struct FITSummary: Decodable, Sendable {
        public struct Sport: Decodable, Sendable { public var sport: String?; public var subSport: String?
            enum CodingKeys: String, CodingKey { case sport, subSport = "sub_sport" } }
        public struct Session: Decodable, Sendable {
            public var sport: String?
            public var subSport: String?
            public var totalDistance: Double?
            public var totalElapsedTime: Double?
            public var totalTimerTime: Double?
            public var totalCalories: Int?
            public var numLaps: Int?
            public var startTime: String?
            public var backwardsDistance: Double?
            public var backwardsShare: Double?
            enum CodingKeys: String, CodingKey {
                case sport, subSport = "sub_sport", totalDistance = "total_distance", totalElapsedTime = "total_elapsed_time"
                case totalTimerTime = "total_timer_time", totalCalories = "total_calories", numLaps = "num_laps", startTime = "start_time"
                case backwardsDistance = "backwards_distance", backwardsShare = "backwards_share"
            }
        }
        public struct Lap: Decodable, Sendable {
            public var totalDistance: Double?
            public var totalElapsedTime: Double?
            public var totalCalories: Int?
            public var lapTrigger: String?
            public var intensity: String?
            enum CodingKeys: String, CodingKey {
                case totalDistance = "total_distance", totalElapsedTime = "total_elapsed_time", totalCalories = "total_calories"
                case lapTrigger = "lap_trigger", intensity
            }
        }
        public var fileType: String?
        public var sport: Sport?
        public var session: Session?
        public var laps: [Lap]
        public var records: Int
        public var activitySessions: Int?
        enum CodingKeys: String, CodingKey {
            case sport, session, laps, records, fileType = "file_type", activitySessions = "activity_sessions"
        }
    }

    public struct FITRefused: Error, CustomStringConvertible {
        public var status: Int32
        public var message: String
        public var description: String { "fit-summary.py exited \(status): \(message)" }
    }

    /// Decodes `file` with both readers; throws their message when either refuses it (a bad
    /// CRC, a malformed message) or they disagree.
    public static func readFIT(_ file: String) throws -> FITSummary {
        guard FileManager.default.isExecutableFile(atPath: python) else { throw ToolMissing(tool: python + " (with fitdecode and fitparse)") }
        let r = try Subprocess.run(python, [fitSummaryScript, file])
        guard r.status == 0 else { throw FITRefused(status: r.status, message: r.stderr) }
        return try JSONDecoder().decode(FITSummary.self, from: Data(r.stdout.utf8))
    }
}
