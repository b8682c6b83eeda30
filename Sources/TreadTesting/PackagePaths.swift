import Foundation

public enum PackagePaths {
    public static var demoConfig: String { root.appendingPathComponent("Config/demo.toml").path }
    public static var productionConfig: String { root.appendingPathComponent("Config/treadd.toml").path }
    public static var programs: String { root.appendingPathComponent("Config/programs").path }

    /// The package root, found from this file's location (Tests/<Target>/Support/...).
    public static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()

    public static let deltaProfile = root.appendingPathComponent("Config/drives/delta-ms300.toml").path
}
