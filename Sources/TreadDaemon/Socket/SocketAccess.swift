import Glibc

/// Who may connect to the control socket: mode 0660 and, when configured and present on the
/// machine, the group (`treadmill`) whose members run treadctl. A group that is configured
/// but missing is not an error: on a developer's machine the socket then keeps the daemon's
/// group, and the packaged service always has the group (sysusers.d creates it).
enum SocketAccess {
    enum Outcome: Equatable {
        case grouped(String)
        case groupMissing(String)
        case noGroupConfigured
        case failed(String, errno: Int32)
    }

    static func apply(path: String, group: String?) -> Outcome {
        chmod(path, 0o660)
        guard let group else { return .noGroupConfigured }
        guard let gid = groupID(group) else { return .groupMissing(group) }
        if chown(path, uid_t.max, gid) != 0 { return .failed(group, errno: errno) }  // uid -1: keep the owner
        return .grouped(group)
    }

    static func groupID(_ name: String) -> gid_t? {
        var entry = group()
        var result: UnsafeMutablePointer<group>?
        var buffer = [CChar](repeating: 0, count: 16 * 1024)
        let rc = getgrnam_r(name, &entry, &buffer, buffer.count, &result)
        guard rc == 0, result != nil else { return nil }
        return entry.gr_gid
    }
}
