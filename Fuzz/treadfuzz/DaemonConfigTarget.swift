import Foundation
import TreadCore
import TreadDaemon
import TreadTesting

/// The daemon config loader (DaemonConfig.parse, with [io] through IOConfig.parse): bytes as
/// the text of a config file in Config/, so `profile = "drives/…"` finds the shipped profiles.
struct DaemonConfigTarget: FuzzTarget {
    let file = PackagePaths.root.appendingPathComponent("Config/fuzz-config.toml").path

    func run(_ bytes: UnsafeRawBufferPointer) {
        guard let text = LoaderChecks.text(bytes) else { return }
        do {
            let config = try DaemonConfig.parse(text, file: file)
            _ = config.summary
        } catch {
            // An error in the named profile names the profile's file; that file is on disk.
            if error.file == file { LoaderChecks.check(error, file: file, text: text) }
            else if !FileManager.default.fileExists(atPath: error.file) { FuzzCheck.fail("error names a file that does not exist: \(error)") }
        }
    }
}
