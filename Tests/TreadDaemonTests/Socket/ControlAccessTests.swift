import Testing
@testable import TreadDaemon

/// Who may change the belt, decided from the kernel's peer credentials and the user and group
/// databases (here a fake one): root, treadd's own user, members of the socket group.
@Suite struct ControlAccessTests {
    /// alice (1000) is in treadmill (990) as a supplementary group; bob (1001) is not;
    /// kiosk (1002) has treadmill as its primary group; treadd runs as 995.
    static let directory = ControlAccess.Directory(
        userName: { [1000: "alice", 1001: "bob", 1002: "kiosk", 995: "treadd"][$0] },
        groupID: { $0 == "treadmill" ? 990 : nil },
        groups: { user, primary in ["alice": [1000, 990], "bob": [1001, 27], "kiosk": [990]][user] ?? [primary] })

    func access(group: String? = "treadmill") -> ControlAccess {
        ControlAccess(group: group, daemonUID: 995, directory: Self.directory)
    }

    @Test func rootAndTheDaemonsOwnUserMayControl() {
        #expect(access().decide(PeerCredentials(pid: 1, uid: 0, gid: 0)) == .allowed)
        #expect(access().decide(PeerCredentials(pid: 1, uid: 995, gid: 995)) == .allowed)
        #expect(access(group: nil).decide(PeerCredentials(pid: 1, uid: 0, gid: 0)) == .allowed)
    }

    @Test func membersOfTheGroupMayControl() {
        #expect(access().decide(PeerCredentials(pid: 1, uid: 1000, gid: 1000)) == .allowed, "supplementary member")
        #expect(access().decide(PeerCredentials(pid: 1, uid: 1002, gid: 1002)) == .allowed, "primary group in the database")
        #expect(access().decide(PeerCredentials(pid: 1, uid: 4242, gid: 990)) == .allowed, "running with the group as its gid")
    }

    @Test func othersAreRefusedWithTheFix() {
        guard case .refused(let why) = access().decide(PeerCredentials(pid: 1, uid: 1001, gid: 1001)) else {
            Issue.record("bob is not in treadmill and must be refused")
            return
        }
        #expect(why.contains("bob (uid 1001)"))
        #expect(why.contains("group 'treadmill'"))
        #expect(why.contains("usermod -aG treadmill bob"))
    }

    @Test func unknownUserIsRefusedByNumber() {
        guard case .refused(let why) = access().decide(PeerCredentials(pid: 1, uid: 7777, gid: 7777)) else {
            Issue.record("an unknown uid must be refused")
            return
        }
        #expect(why.contains("uid 7777"))
        #expect(!why.contains("usermod"), "no fix to suggest for a user with no name")
    }

    @Test func withoutTheGroupOnlyRootAndTheDaemonControl() {
        let missing = ControlAccess(group: "gym-staff", daemonUID: 995, directory: Self.directory)
        guard case .refused(let why) = missing.decide(PeerCredentials(pid: 1, uid: 1000, gid: 990)) else {
            Issue.record("a group that does not exist grants nothing")
            return
        }
        #expect(why.contains("'gym-staff' does not exist"))
        #expect(access(group: nil).decide(PeerCredentials(pid: 1, uid: 1000, gid: 990)) != .allowed)
    }

    @Test func systemDirectoryKnowsRoot() {
        #expect(SystemDirectory.userName(0) == "root")
        #expect(SystemDirectory.groups("root", 0).contains(0))
    }
}
