import CSandbox
import Glibc

/// The parser's seccomp filter: the system calls a Swift process needs to read stdin, compute,
/// allocate, write stdout and exit. Any other call fails with EPERM (opening a file, a socket,
/// exec, kill, ptrace...). A call from another architecture's table kills the process.
enum SyscallFilter {
    static var allowed: [Int32] {
        var calls: [Int32] = [
            SYS_read, SYS_write, SYS_writev, SYS_close, SYS_lseek, SYS_fstat, SYS_newfstatat,
            SYS_mmap, SYS_munmap, SYS_mremap, SYS_mprotect, SYS_brk, SYS_madvise,
            SYS_futex, SYS_rt_sigaction, SYS_rt_sigprocmask, SYS_rt_sigreturn, SYS_sigaltstack,
            SYS_getpid, SYS_gettid, SYS_tgkill, SYS_getrandom, SYS_clock_gettime, SYS_sched_yield,
            SYS_sched_getaffinity, SYS_prlimit64, SYS_exit, SYS_exit_group,
        ]
        #if arch(x86_64)
        calls.append(SYS_arch_prctl)
        #endif
        return calls
    }

    /// The BPF program: check the architecture, load the call number, allow the listed ones.
    static func program() -> [sock_filter] {
        func stmt(_ code: UInt16, _ k: UInt32) -> sock_filter { sock_filter(code: code, jt: 0, jf: 0, k: k) }
        func jumpIfEqual(_ k: UInt32, skipIfTrue: UInt8, skipIfFalse: UInt8) -> sock_filter {
            sock_filter(code: csandbox_bpf_jump_equal(), jt: skipIfTrue, jf: skipIfFalse, k: k)
        }
        var p: [sock_filter] = [
            stmt(csandbox_bpf_load_word(), csandbox_data_arch_offset()),
            jumpIfEqual(csandbox_audit_arch(), skipIfTrue: 1, skipIfFalse: 0),
            stmt(csandbox_bpf_return(), csandbox_ret_kill()),
            stmt(csandbox_bpf_load_word(), csandbox_data_nr_offset()),
        ]
        for call in allowed {
            p.append(jumpIfEqual(UInt32(bitPattern: call), skipIfTrue: 0, skipIfFalse: 1))
            p.append(stmt(csandbox_bpf_return(), csandbox_ret_allow()))
        }
        p.append(stmt(csandbox_bpf_return(), csandbox_ret_errno(UInt32(EPERM))))
        return p
    }
}
