import Foundation
import Glibc
import PostgresNIO
import Testing
import TreadTesting
import TreadFleet

/// A real PostgreSQL for the suite, run by scripts/fleet/postgres.sh in a temporary folder
/// on a free port. Each test takes a fresh database of its own (`makeDatabase`), so tests do
/// not see each other's rows.
final class PostgresServer: Sendable {
    /// The suite's server, set by the `.postgres` trait around the suite.
    @TaskLocal static var current: PostgresServer?

    let folder: URL
    let port: Int

    struct ScriptFailed: Error, CustomStringConvertible {
        var command: String
        var status: Int32
        var output: String
        var description: String { "\(command) exited \(status):\n\(output)" }
    }

    private init(folder: URL, port: Int) {
        self.folder = folder; self.port = port
    }

    static func start() throws -> PostgresServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("treadfleet-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let server = PostgresServer(folder: folder, port: try freePort())
        do {
            try server.start()
        } catch {
            server.remove()
            throw error
        }
        return server
    }

    func start() throws { try Self.script(["start", folder.appendingPathComponent("pg").path, String(port)]) }
    func stop() throws { try Self.script(["stop", folder.appendingPathComponent("pg").path]) }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// The server's maintenance database, for making others.
    var adminConfiguration: FleetDatabaseConfiguration {
        FleetDatabaseConfiguration(host: "127.0.0.1", port: port, user: "postgres", database: "treadfleet")
    }

    /// A new empty database; the name is made here, never from input.
    func makeDatabase() async throws -> FleetDatabaseConfiguration {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = FleetDatabase(configuration: adminConfiguration)
        do {
            try await admin.withConnection { connection, logger in
                try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            }
            await admin.close()
        } catch {
            await admin.close()
            throw error
        }
        var configuration = adminConfiguration
        configuration.database = name
        return configuration
    }

    /// A TCP port nothing listens on: bound to port 0, read back, closed.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EMFILE) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE) }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EINVAL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func script(_ arguments: [String]) throws {
        let script = PackageRoot.url.appendingPathComponent("scripts/fleet/postgres.sh").path
        let result = try Subprocess.run("/bin/bash", [script] + arguments)
        guard result.status == 0 else {
            throw ScriptFailed(command: "postgres.sh " + arguments.joined(separator: " "), status: result.status,
                               output: result.stdout + result.stderr)
        }
    }
}

/// Starts one server before the suite and stops it after. If it cannot start, the error
/// (with the script's output) fails the suite: these tests never skip.
struct PostgresTrait: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try PostgresServer.start()
        defer { server.remove() }
        do {
            try await PostgresServer.$current.withValue(server) { try await function() }
        } catch {
            try? server.stop()
            throw error
        }
        try server.stop()
    }
}

extension Trait where Self == PostgresTrait {
    static var postgres: Self { PostgresTrait() }
}

enum PackageRoot {
    static let url: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("no Package.swift above \(#filePath)")
    }()
}
