#ifndef TREADD_CSANDBOX_SHIM_H
#define TREADD_CSANDBOX_SHIM_H
#include <errno.h>
#include <stddef.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/* prctl(2) is variadic, which Swift cannot call, and the seccomp and audit constants are
   macros built from other macros; the kernel's own API is re-exported here unchanged. */
static inline int csandbox_errno(void) { return errno; }
static inline int csandbox_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
static inline int csandbox_not_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }
static inline int csandbox_die_with_parent(int signal) { return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0); }
static inline int csandbox_seccomp_filter(struct sock_filter *filter, unsigned short count) {
    struct sock_fprog prog = { .len = count, .filter = filter };
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}
/* Only the descriptors a helper is given survive into it, even ones opened without O_CLOEXEC. */
static inline int csandbox_spawn_close_from(posix_spawn_file_actions_t *actions, int first) {
    return posix_spawn_file_actions_addclosefrom_np(actions, first);
}
static inline int csandbox_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
static inline int csandbox_close_from(unsigned int first) { return (int)syscall(SYS_close_range, first, ~0U, 0); }

static inline unsigned int csandbox_audit_arch(void) {
#if defined(__x86_64__)
    return AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
    return AUDIT_ARCH_AARCH64;
#else
#error "seccomp filter: add this architecture's AUDIT_ARCH"
#endif
}
static inline unsigned int csandbox_ret_allow(void) { return SECCOMP_RET_ALLOW; }
static inline unsigned int csandbox_ret_kill(void) { return SECCOMP_RET_KILL_PROCESS; }
static inline unsigned int csandbox_ret_errno(unsigned int e) { return SECCOMP_RET_ERRNO | (e & SECCOMP_RET_DATA); }
static inline unsigned int csandbox_data_nr_offset(void) { return offsetof(struct seccomp_data, nr); }
static inline unsigned int csandbox_data_arch_offset(void) { return offsetof(struct seccomp_data, arch); }
static inline unsigned short csandbox_bpf_load_word(void) { return BPF_LD | BPF_W | BPF_ABS; }
static inline unsigned short csandbox_bpf_jump_equal(void) { return BPF_JMP | BPF_JEQ | BPF_K; }
static inline unsigned short csandbox_bpf_return(void) { return BPF_RET | BPF_K; }
#endif
