import TreadCore
import TreadHardware

/// How the safety inputs and outputs are wired (`[io]` in treadd.toml), for `source = "gpio"`.
public struct IOConfig: Hashable, Sendable {
    public var inputs: [InputLine: GPIOLineSpec]
    /// The fail-safe drive-enable relay (energised = torque allowed).
    public var driveEnable: GPIOLineSpec
    /// An optional lamp or buzzer, on while a rail warning runs.
    public var warning: GPIOLineSpec?
    /// An optional pulse line for an external charge pump or watchdog relay in series with
    /// the enable relay: toggled on every control tick while torque is allowed, so a hung or
    /// killed process stops the pulses and drops torque without relying on the kernel
    /// releasing the enable line (docs/safety-inputs.md, *Enable watchdog*).
    public var enableWatchdog: GPIOLineSpec? = nil
    public var chatter: InputMonitor.ChatterLimit

    /// Every configured line, inputs first, for messages and duplicate checks.
    public var allSpecs: [GPIOLineSpec] {
        InputLine.allCases.compactMap { inputs[$0] } + [driveEnable] + (warning.map { [$0] } ?? []) + (enableWatchdog.map { [$0] } ?? [])
    }

    /// Resolves every line on the running system, refusing a line used twice (also an
    /// output used as an input) with both uses named.
    public func resolveAll() throws(IOConfigError) -> [ResolvedLine] {
        var out: [ResolvedLine] = []
        for spec in allSpecs {
            let r: ResolvedLine
            do { r = try spec.resolve() } catch { throw .gpio(error) }
            if let other = out.first(where: { $0.chipPath == r.chipPath && $0.offset == r.offset }) {
                throw .lineUsedTwice(r, other.spec.role)
            }
            out.append(r)
        }
        return out
    }
}

public enum IOConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    case gpio(GPIOError)
    case lineUsedTwice(ResolvedLine, String)

    public var description: String {
        switch self {
        case .gpio(let e): return e.description
        case .lineUsedTwice(let r, let first): return "\(r) is also used for \(first); every input and output needs its own line"
        }
    }
}
