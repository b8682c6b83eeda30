import Glibc

/// Decides whether a connected client may call control methods (start, stop, pause, resume,
/// reset, sim.set): root, the daemon's own user, or a member of the socket group
/// (`[daemon] socket_group`, default `treadmill`). Everyone who can connect may read.
///
/// Membership is looked up in the user and group databases for the peer's uid
/// (`getpwuid_r`, then `getgrouplist`, which includes the primary group), because SO_PEERCRED
/// carries no supplementary groups. A user added to the group is therefore recognised on
/// their next connection, without logging in again. When the group is not configured, or
/// does not exist on this machine (a developer's), only root and the daemon's user control.
///
/// The lookup runs once per connection, on its first control request, on the socket server's
/// event loop (never the control thread). On a treadmill controller the databases are local
/// files; a machine that resolves users over the network would make that first request wait.
struct ControlAccess: Sendable {
    enum Decision: Equatable, Sendable {
        case allowed
        /// The sentence a refused client is shown.
        case refused(String)
    }

    /// The databases, replaceable in tests.
    struct Directory: Sendable {
        var userName: @Sendable (UInt32) -> String?
        var groupID: @Sendable (String) -> UInt32?
        /// Every group the named user belongs to, the primary `gid` included.
        var groups: @Sendable (String, UInt32) -> [UInt32]

        static let system = Directory(userName: SystemDirectory.userName, groupID: { SocketAccess.groupID($0) },
                                      groups: SystemDirectory.groups)
    }

    let group: String?
    let daemonUID: UInt32
    let directory: Directory

    init(group: String?, daemonUID: UInt32 = getuid(), directory: Directory = .system) {
        self.group = group
        self.daemonUID = daemonUID
        self.directory = directory
    }

    func decide(_ peer: PeerCredentials) -> Decision {
        if peer.uid == 0 || peer.uid == daemonUID { return .allowed }
        let who = directory.userName(peer.uid).map { "\($0) (uid \(peer.uid))" } ?? "uid \(peer.uid)"
        guard let group else {
            return .refused("\(who) may read but not control the treadmill: only root and treadd's own user may (no socket_group is configured)")
        }
        guard let gid = directory.groupID(group) else {
            return .refused("\(who) may read but not control the treadmill: group '\(group)' does not exist on this machine, so only root and treadd's own user may")
        }
        if peer.gid == gid { return .allowed }
        if let name = directory.userName(peer.uid), directory.groups(name, peer.gid).contains(gid) { return .allowed }
        let fix = directory.userName(peer.uid).map { "; a technician can add them: usermod -aG \(group) \($0)" } ?? ""
        return .refused("\(who) may read but not control the treadmill: control needs root or membership of group '\(group)'\(fix)")
    }
}

/// The C calls behind `ControlAccess.Directory.system`.
enum SystemDirectory {
    static func userName(_ uid: UInt32) -> String? {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return nil }
        return String(cString: name)
    }

    static func groups(_ user: String, _ primary: UInt32) -> [UInt32] {
        var count: Int32 = 64
        while true {
            var list = [gid_t](repeating: 0, count: Int(count))
            let n = count
            // Returns -1 and sets `count` to the number needed when the list is too short.
            if getgrouplist(user, primary, &list, &count) >= 0 { return Array(list.prefix(Int(count))) }
            if count <= n { return [] }
        }
    }
}
