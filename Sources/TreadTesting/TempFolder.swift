import Foundation

/// A fresh folder under the temporary directory, removed with `remove()`.
public struct TempFolder {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        // Short: Unix socket paths must fit in 108 bytes.
        url = URL(fileURLWithPath: "/tmp").appendingPathComponent("tu-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    @discardableResult
    public func write(_ name: String, _ text: String) throws -> String {
        let file = url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
        return file.path
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
