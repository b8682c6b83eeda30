import Foundation
import Glibc
import Testing
import TreadProtocol

/// Control needs root, treadd's own user or the socket group, decided from the kernel's peer
/// credentials (SO_PEERCRED); reading needs only a connection. The clients here are the real
/// treadctl run as other users with setpriv, so these tests need root (they are skipped
/// otherwise) and create a throw-away group and user.
@Suite(.serialized, .enabled(if: getuid() == 0, "runs treadctl as other users: needs root"))
struct SocketPermissionTests {
    /// Runs treadctl as `user` (with that user's groups from the database).
    func ctl(as user: String, _ rig: TestRig, _ args: String...) throws -> (code: Int32, stdout: String, stderr: String) {
        try run("/usr/bin/setpriv", ["--reuid=\(user)", "--regid=\(user == "nobody" ? "nogroup" : user)", "--init-groups",
                                     Binaries.path("treadctl")] + args + ["--socket", rig.socket])
    }

    @Test func unprivilegedClientMayReadButNotControl() throws {
        let rig = try TestRig()
        try rig.ctlChecked("sim", "set", "rail_left=held", "rail_right=held")
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        try rig.ctlChecked("start", "long-reverse")
        try events.awaitStatus("running") { $0.state == "running" && ($0.beltSpeedKmh ?? -1) > 0 }
        // What an administrator does to let a kiosk user read: anyone may now connect.
        #expect(chmod(rig.socket, 0o666) == 0)

        let status = try ctl(as: "nobody", rig, "status", "--json")
        #expect(status.code == 0, "reading is for anyone who can connect: \(status.stderr)")
        #expect((try? LineCoding.decode(Status.self, from: status.stdout))?.state == "running")

        for command in [["stop"], ["pause"], ["reset"], ["sim", "set", "estop=open"], ["start", "short"]] {
            let r = try run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", Binaries.path("treadctl")]
                            + command + ["--socket", rig.socket])
            #expect(r.code == 6, "\(command) as nobody exits 6 (not permitted): \(r.code) \(r.stderr)")
            #expect(r.stderr.contains("nobody (uid 65534) may read but not control"), "\(r.stderr)")
        }
        let after = try LineCoding.decode(Status.self, from: try rig.ctlChecked("status", "--json"))
        #expect(after.state == "running" && after.program == "long-reverse", "the session goes on")
        #expect(!events.process.output.contains { $0.contains(#""event":"session_stopped""#) || $0.contains(#""event":"paused""#) },
                "nothing stopped or paused it")
        #expect(after.estop == "closed")

        // The same refusal on a raw connection is a typed error, and the connection still reads.
        let raw = try run("/usr/bin/setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "/usr/bin/socat", "-t", "2", "-",
                                               "UNIX-CONNECT:\(rig.socket)"],
                          stdin: #"{"id":1,"method":"stop"}"# + "\n" + #"{"id":2,"method":"status"}"# + "\n")
        let lines = raw.stdout.split(separator: "\n").compactMap { try? LineCoding.decode(ServerMessage.self, from: $0) }
        #expect(lines.first { $0.id == 1 }?.error?.code == .permissionDenied, "\(raw.stdout)")
        #expect(lines.first { $0.id == 2 }?.result?.status?.state == "running", "\(raw.stdout)")
    }

    @Test func memberOfTheSocketGroupMayControlAndOthersCannotConnect() throws {
        let tag = UUID().uuidString.prefix(6).lowercased()
        let group = "treadt\(tag)", member = "treadm\(tag)"
        #expect(try run("/usr/sbin/groupadd", ["--system", group]).code == 0)
        defer { _ = try? run("/usr/sbin/groupdel", [group]) }
        #expect(try run("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "--user-group",
                                             "--groups", group, member]).code == 0)
        defer { _ = try? run("/usr/sbin/userdel", [member]) }

        let rig = try TestRig(socketGroup: group)
        var info = stat()
        #expect(stat(rig.socket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660, "socket mode \(String(info.st_mode & 0o777, radix: 8))")
        #expect(info.st_gid == getgrnam(group)?.pointee.gr_gid, "socket group is \(group)")

        try rig.ctlChecked("status")  // root
        let events = try rig.watch()
        try events.awaitStatus("drive online") { $0.drive == "online" }
        let sim = try ctl(as: member, rig, "sim", "set", "rail_left=held", "rail_right=held")
        #expect(sim.code == 0, "a member controls: \(sim.stderr)")
        let start = try ctl(as: member, rig, "start", "short")
        #expect(start.code == 0, "\(start.stderr)")
        try events.awaitStatus("running") { $0.state == "running" }
        #expect(try ctl(as: member, rig, "stop").code == 0)

        let outsider = try ctl(as: "nobody", rig, "status")
        #expect(outsider.code == 6, "0660 keeps non-members out: \(outsider.code) \(outsider.stderr)")
        #expect(outsider.stderr.contains("no permission to connect"), "\(outsider.stderr)")
    }
}
