import Glibc

/// What the parser's sandbox must refuse, tried from inside it: its tests read these lines.
public enum SandboxProbe {
    /// One line per attempt: `open: refused (errno 1)` or `open: ALLOWED`.
    public static func run() -> [String] {
        func outcome(_ what: String, _ result: Int32) -> String {
            result < 0 ? "\(what): refused (errno \(errno))" : "\(what): ALLOWED"
        }
        var lines: [String] = []
        let inherited = (3..<1024).filter { fcntl(Int32($0), F_GETFD) >= 0 }
        lines.append(inherited.isEmpty ? "inherited descriptors: none" : "inherited descriptors: \(inherited)")
        lines.append(outcome("open", open("/etc/hostname", O_RDONLY)))
        lines.append(outcome("socket", socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)))
        lines.append(outcome("fork", fork()))
        lines.append(outcome("kill", kill(getppid(), 0)))
        var argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        lines.append(outcome("exec", execv("/bin/true", &argv)))
        return lines
    }
}
