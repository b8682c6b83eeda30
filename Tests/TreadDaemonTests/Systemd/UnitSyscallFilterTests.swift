import Foundation
import Testing
import TreadTesting
@testable import TreadDaemon

/// treadd.service's SystemCallFilter lines, expanded with systemd's own tables
/// (`systemd-analyze syscall-filter`), allow every call the program parser's spawn and sandbox
/// make: a filter that refused one would turn every program into a parser failure.
@Suite struct UnitSyscallFilterTests {
    /// The calls a group holds, its nested groups expanded, as this machine's systemd lists them.
    func expand(_ group: String) throws -> Set<String> {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-analyze")
        p.arguments = ["syscall-filter", group]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "systemd-analyze syscall-filter \(group) failed")
        var calls: Set<String> = []
        for raw in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty || name.hasPrefix("#") { continue }
            calls.formUnion(name.hasPrefix("@") ? try expand(name) : [name])
        }
        return calls
    }

    /// systemd's rule: the first line without `~` starts an allow-list; later lines add to it,
    /// lines with `~` take away.
    func allowed(byUnit path: String) throws -> Set<String> {
        var allowed: Set<String> = []
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("SystemCallFilter=") }
        try #require(!lines.isEmpty, "no SystemCallFilter in \(path)")
        for line in lines {
            var value = line.dropFirst("SystemCallFilter=".count)
            let deny = value.hasPrefix("~")
            if deny { value = value.dropFirst() }
            var names: Set<String> = []
            for token in value.split(separator: " ") {
                names.formUnion(token.hasPrefix("@") ? try expand(String(token)) : [String(token)])
            }
            if deny { allowed.subtract(names) } else { allowed.formUnion(names) }
        }
        return allowed
    }

    @Test func theServiceAllowsWhatTheParserHelperNeeds() throws {
        let allowed = try allowed(byUnit: PackagePaths.root.appendingPathComponent("systemd/treadd.service").path)
        #expect(allowed.contains("read") && !allowed.contains("reboot"), "the expansion itself")
        for call in ParseSandbox.systemCalls + HelperProcess.systemCalls {
            let allows = allowed.contains(call)
            #expect(allows, "treadd.service's SystemCallFilter refuses \(call)")
        }
    }
}
