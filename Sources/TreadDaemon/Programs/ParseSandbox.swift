import CSandbox
import Glibc

/// What the program parser gives up before it reads a byte of untrusted text: every inherited
/// descriptor but stdin, stdout and stderr; the right to open files, make sockets, start
/// programs or signal other processes (a seccomp filter; those calls fail with EPERM); and
/// memory, CPU time and file size beyond small limits. The process also dies with treadd.
public enum ParseSandbox {
    public struct Limits: Sendable {
        /// Address space. A Swift process maps its libraries and ICU data; the parse itself
        /// needs little. Beyond this, allocation fails and the helper aborts: an error reply.
        public var addressSpaceBytes: UInt = 1 << 30
        /// CPU seconds before SIGXCPU (and SIGKILL a second later).
        public var cpuSeconds: UInt = 2
        public init() {}
    }

    public enum Failure: Error, CustomStringConvertible {
        case step(String, errno: Int32)
        public var description: String {
            switch self {
            case .step(let what, let e): return "cannot enter the parser's sandbox: \(what): \(String(cString: strerror(e)))"
            }
        }
    }

    /// The system calls `enter` makes (glibc's setrlimit is prlimit64). The service unit's
    /// filter must allow them, or every program would be refused; `UnitSyscallFilterTests`
    /// holds the unit to this list, and strace of the helper to the list itself.
    public static let systemCalls = ["prctl", "getppid", "close_range", "setpriority", "prlimit64"]

    /// Applied to the calling process, for good: the helper calls it first thing.
    public static func enter(_ limits: Limits = Limits()) throws(Failure) {
        func check(_ what: String, _ result: Int32) throws(Failure) {
            if result != 0 { throw .step(what, errno: errno) }
        }
        try check("die with treadd", csandbox_die_with_parent(SIGKILL))
        // treadd may already be gone (the death signal only covers a parent alive now).
        if getppid() == 1 { exit(3) }
        try check("close inherited descriptors", csandbox_close_from(3))
        try check("lower priority", setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10))
        // A sanitizer build (scripts/sanitize.sh) reserves terabytes of shadow address space,
        // which any address-space limit forbids; its memory is then bounded by the CPU limit.
        if !sanitizerRuntime {
            try setLimit(RLIMIT_AS, limits.addressSpaceBytes, limits.addressSpaceBytes, "address space")
        }
        try setLimit(RLIMIT_CPU, limits.cpuSeconds, limits.cpuSeconds + 1, "CPU time")
        try setLimit(RLIMIT_FSIZE, 0, 0, "file size")
        try setLimit(RLIMIT_CORE, 0, 0, "core dumps")
        try setLimit(RLIMIT_NOFILE, 3, 3, "open files")
        try check("not dumpable", csandbox_not_dumpable())
        try check("no new privileges", csandbox_no_new_privs())
        var filter = SyscallFilter.program()
        let count = UInt16(filter.count)
        try check("seccomp filter", filter.withUnsafeMutableBufferPointer { csandbox_seccomp_filter($0.baseAddress, count) })
    }

    /// Whether this process runs under AddressSanitizer or ThreadSanitizer.
    static var sanitizerRuntime: Bool {
        dlsym(nil, "__asan_init") != nil || dlsym(nil, "__tsan_init") != nil
    }

    private static func setLimit(_ resource: __rlimit_resource, _ soft: UInt, _ hard: UInt, _ what: String) throws(Failure) {
        var r = rlimit(rlim_cur: rlim_t(soft), rlim_max: rlim_t(hard))
        if setrlimit(__rlimit_resource_t(resource.rawValue), &r) != 0 { throw .step("limit \(what)", errno: errno) }
    }
}
