import CSandbox
import Foundation
import Glibc

/// What a helper process gave back: its exit status, stdout, and the start of its stderr.
struct HelperExchange {
    var status: Int32
    var output: Data
    var errorOutput: Data
    var firstErrorLine: String {
        String(decoding: errorOutput.prefix(300), as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
    }
}

/// Runs one helper: spawned with only its three pipes, an empty environment, default signal
/// dispositions and the normal scheduler (never the control thread's real-time priority);
/// fed `input`; read until it exits or `timeout` passes, then killed. Waiting is on the
/// pipes and a pidfd in one poll, so no step can block past the deadline.
enum HelperProcess {
    /// The system calls treadd makes to run a helper (glibc's posix_spawn is clone3 with
    /// CLONE_VFORK, then execve in the child), for the unit's filter (see `ParseSandbox`).
    static let systemCalls = ["pipe", "clone3", "execve", "pidfd_open", "poll", "wait4", "fcntl", "kill", "rt_sigprocmask", "rt_sigtimedwait"]

    static func run(_ command: [String], input: Data, timeout: Duration, maxOutput: Int,
                    onSpawn: (pid_t) -> Void) -> Result<HelperExchange, ParseFailure> {
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1], errFromChild: [Int32] = [-1, -1]
        guard makePipe(&toChild) else { return .failure(.couldNotStart(errno: errno)) }
        guard makePipe(&fromChild) else { closeAll(toChild); return .failure(.couldNotStart(errno: errno)) }
        guard makePipe(&errFromChild) else { closeAll(toChild + fromChild); return .failure(.couldNotStart(errno: errno)) }
        let pid: pid_t
        switch spawn(command, stdin: toChild[0], stdout: fromChild[1], stderr: errFromChild[1]) {
        case .failure(let e): closeAll(toChild + fromChild + errFromChild); return .failure(e)
        case .success(let p): pid = p
        }
        closeAll([toChild[0], fromChild[1], errFromChild[1]])
        let pidfd = csandbox_pidfd_open(pid)
        defer { if pidfd >= 0 { close(pidfd) } }
        onSpawn(pid)
        let io = exchange(pid: pid, pidfd: pidfd, input: input, stdin: toChild[1], stdout: fromChild[0], stderr: errFromChild[0],
                          deadline: ContinuousClock.now + timeout, maxOutput: maxOutput)
        let status = reap(pid)
        switch io {
        case .timedOut: return .failure(.timedOut(timeout))
        case .tooLong: return .failure(.garbage("more than \(maxOutput) bytes"))
        case .done(let out, let err):
            if status.signal != 0 { return .failure(.killed(signal: status.signal)) }
            return .success(HelperExchange(status: status.code, output: out, errorOutput: err))
        }
    }

    private enum IO { case done(Data, Data), timedOut, tooLong }

    /// Writes `input` and reads both outputs, all non-blocking under one poll, until the helper
    /// has closed its outputs and exited. Kills it on the deadline or on too much output.
    private static func exchange(pid: pid_t, pidfd: Int32, input: Data, stdin: Int32, stdout: Int32, stderr: Int32,
                                 deadline: ContinuousClock.Instant, maxOutput: Int) -> IO {
        var inFD = stdin, outFD = stdout, errFD = stderr
        // A helper that dies before reading its input would raise SIGPIPE on this thread, and
        // treadd does not ignore SIGPIPE: it is held and consumed here, and EPIPE ends the writing.
        var pipeSignal = sigset_t(), before = sigset_t()
        sigemptyset(&pipeSignal)
        sigaddset(&pipeSignal, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &pipeSignal, &before)
        defer {
            var now = timespec(tv_sec: 0, tv_nsec: 0)
            while sigtimedwait(&pipeSignal, nil, &now) > 0 {}
            pthread_sigmask(SIG_SETMASK, &before, nil)
        }
        for fd in [inFD, outFD, errFD] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        defer { closeAll([inFD, outFD, errFD].filter { $0 >= 0 }) }
        var written = 0
        var out = Data(), err = Data()
        var exited = false
        let bytes = [UInt8](input)
        if bytes.isEmpty { close(inFD); inFD = -1 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while outFD >= 0 || errFD >= 0 || !exited {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { kill(pid, SIGKILL); return .timedOut }
            var fds: [pollfd] = []
            if inFD >= 0 { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            if outFD >= 0 { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
            if errFD >= 0 { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
            if pidfd >= 0, !exited { fds.append(pollfd(fd: pidfd, events: Int16(POLLIN), revents: 0)) }
            let ms = Int32(clamping: max(1, left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            let n = poll(&fds, nfds_t(fds.count), ms)
            if n < 0 { if errno == EINTR { continue }; kill(pid, SIGKILL); return .timedOut }
            for p in fds where p.revents != 0 {
                if p.fd == inFD {
                    let w = bytes.withUnsafeBytes { Glibc.write(inFD, $0.baseAddress! + written, bytes.count - written) }
                    if w > 0 { written += w }
                    // EPIPE (the helper closed stdin or died) ends the writing; its exit says why.
                    if written == bytes.count || (w < 0 && errno != EAGAIN && errno != EINTR) { close(inFD); inFD = -1 }
                } else if p.fd == outFD || p.fd == errFD {
                    let r = read(p.fd, &buffer, buffer.count)
                    if r > 0 {
                        if p.fd == outFD { out.append(contentsOf: buffer[0..<r]) } else if err.count < 4096 { err.append(contentsOf: buffer[0..<r]) }
                        if out.count > maxOutput { kill(pid, SIGKILL); return .tooLong }
                    } else if r == 0 || (errno != EAGAIN && errno != EINTR) {
                        close(p.fd)
                        if p.fd == outFD { outFD = -1 } else { errFD = -1 }
                    }
                } else if p.fd == pidfd {
                    exited = true
                }
            }
            // Without a pidfd (an old kernel), the closed outputs stand for the exit.
            if pidfd < 0, outFD < 0, errFD < 0 { exited = true }
        }
        return .done(out, err)
    }

    private static func spawn(_ command: [String], stdin: Int32, stdout: Int32, stderr: Int32) -> Result<pid_t, ParseFailure> {
        var actions = posix_spawn_file_actions_t()
        var attr = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attr)
        defer { posix_spawn_file_actions_destroy(&actions); posix_spawnattr_destroy(&attr) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        _ = csandbox_spawn_close_from(&actions, 3)
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        var param = sched_param(sched_priority: 0)
        posix_spawnattr_setschedparam(&attr, &param)
        posix_spawnattr_setschedpolicy(&attr, SCHED_OTHER)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSCHEDULER))
        var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        // An empty environment, but for a sanitizer build's own options (scripts/sanitize.sh):
        // without them LeakSanitizer runs at the helper's exit, cannot stop the world under the
        // seccomp filter, and turns every parse into "exited with status 1".
        var envp: [UnsafeMutablePointer<CChar>?] = Self.sanitizerEnvironment.map { strdup($0) } + [nil]
        defer { for e in envp { free(e) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, command[0], &actions, &attr, &argv, &envp)
        return rc == 0 ? .success(pid) : .failure(.couldNotStart(errno: rc))
    }

    /// `ASAN_OPTIONS=...` and the like, passed on only when this process runs sanitized.
    static let sanitizerEnvironment: [String] = {
        guard ParseSandbox.sanitizerRuntime else { return [] }
        let names: [String] = ["ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"]
        return names.compactMap { (name: String) -> String? in
            guard let value = getenv(name) else { return nil }
            return "\(name)=\(String(cString: value))"
        }
    }()

    /// Waits for the helper (it has exited or been killed by now), retrying on EINTR.
    private static func reap(_ pid: pid_t) -> (code: Int32, signal: Int32) {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return (-1, 0) }
        }
        let sig = status & 0x7f
        return sig == 0 ? ((status >> 8) & 0xff, 0) : (-1, sig)
    }

    /// A pipe whose ends no other program started by treadd inherits (every spawn also closes
    /// all but the three it hands over, so the moment before FD_CLOEXEC is set leaks nothing).
    private static func makePipe(_ fds: inout [Int32]) -> Bool {
        guard pipe(&fds) == 0 else { return false }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func closeAll(_ fds: [Int32]) { for fd in fds where fd >= 0 { close(fd) } }
}
