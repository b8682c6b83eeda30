import Foundation

/// Runs blocking work (libmodbus, NIO start-up waits) on a thread of its own and waits for
/// it, so that it never occupies a thread of Swift's cooperative pool.
func onDedicatedThread<T>(_ body: @escaping () -> T) -> T {
    nonisolated(unsafe) var result: T?
    nonisolated(unsafe) let work = body
    let done = DispatchSemaphore(value: 0)
    let t = Thread {
        result = work()
        done.signal()
    }
    t.start()
    done.wait()
    return result!
}

/// The same from async code: the caller suspends instead of blocking a pool thread.
func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (c: CheckedContinuation<T, Never>) in
        Thread { c.resume(returning: body()) }.start()
    }
}
