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
