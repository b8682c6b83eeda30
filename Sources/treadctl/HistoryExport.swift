import ArgumentParser
import Foundation
import TreadExport
import TreadProtocol

extension ExportFormat: ExpressibleByArgument {}

extension History {
    /// `treadctl history export SESSION --format tcx|fit [-o FILE]`: asks treadd for the
    /// session (`history.session`, a read) and encodes it here, so treadd never writes files
    /// for clients. The file is written whole or not at all (a temporary file renamed).
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write one session as a TCX or FIT file, to upload to Strava or Garmin Connect.",
            discussion: """
                SESSION is a session's id; its first 8 characters, as `treadctl history` shows them, are enough.
                One lap per segment, with the time, distance and estimated energy treadd recorded; sport running
                or walking (by the belt's speed), sub-sport treadmill. The backwards distance and share are in the
                TCX notes and in FIT developer fields. A session cut short (treadd stopped during it) exports what
                was recorded, and says so.

                Examples:
                  treadctl history export 3f2a9c1d
                  treadctl history export 3f2a9c1d --format fit -o run.fit
                  treadctl history export 3f2a9c1d --format tcx -o - > run.tcx
                """)
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The session's id, or at least its first 8 characters.") var session: String
        @Option(help: "tcx or fit (default: from the extension of -o, else tcx).") var format: ExportFormat?
        @Option(name: .shortAndLong, help: "The file to write (default: treadd-DATE-ID.EXT in this folder); - for standard output.")
        var output: String?

        func run() throws {
            try runReporting { () throws(CLIError) in
                let format = chosenFormat
                guard let detail = try global.connect().call(.historySession, Params(session: session)).session else {
                    throw .protocolError("treadd answered history.session without a session")
                }
                let activity = ExportedActivity(detail)
                let path = output ?? Self.defaultName(activity, format)
                try Self.write(format.encode(activity), to: path)
                let say: (String) -> Void = { line in
                    if path == "-" { FileHandle.standardError.write(Data((line + "\n").utf8)) } else { print(line) }
                }
                say("wrote \(path == "-" ? "standard output" : path): \(format.rawValue), \(activity.laps.count) laps, "
                    + "\(Int(activity.distanceM.rounded())) m (\(Int(activity.reverseM.rounded())) m backwards), \(StatusLine.clock(activity.elapsedS))")
                if activity.cutShort {
                    FileHandle.standardError.write(Data("treadctl: session \(detail.session.id.prefix(8)) was cut short (\(detail.session.outcome)): exported what was recorded before treadd stopped\n".utf8))
                }
            }
        }

        var chosenFormat: ExportFormat {
            if let format { return format }
            if let output, let ext = output.split(separator: ".").last, let f = ExportFormat(rawValue: ext.lowercased()) { return f }
            return .tcx
        }

        static func defaultName(_ a: ExportedActivity, _ format: ExportFormat) -> String {
            let f = DateFormatter()
            f.dateFormat = "yyyyMMdd-HHmm"
            return "treadd-\(f.string(from: Date(timeIntervalSince1970: a.startedAt)))-\(a.sessionID.prefix(8)).\(format.fileExtension)"
        }

        static func write(_ bytes: [UInt8], to path: String) throws(CLIError) {
            if path == "-" {
                FileHandle.standardOutput.write(Data(bytes))
                return
            }
            do {
                try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw .usage("cannot write \(path): \((error as NSError).localizedDescription)")
            }
        }
    }
}
