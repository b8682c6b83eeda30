import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// send(2) without SIGPIPE; outside the server class, whose `send` would shadow it.
func socketSend(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int, dontWait: Bool) -> Int {
    #if os(Linux)
    return send(fd, p, n, Int32(MSG_NOSIGNAL) | (dontWait ? Int32(MSG_DONTWAIT) : 0))
    #else
    return send(fd, p, n, dontWait ? MSG_DONTWAIT : 0)
    #endif
}

func fileWrite(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int { write(fd, p, n) }
