import Foundation

/// libFuzzer's entry point. One binary holds every target, so the fuzz build links once;
/// `$TREADFUZZ_TARGET` picks the target for the whole run (scripts/fuzz.sh sets it).
@_cdecl("LLVMFuzzerTestOneInput")
public func treadfuzzTestOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    let bytes = start.map { UnsafeRawBufferPointer(start: $0, count: count) } ?? UnsafeRawBufferPointer(start: nil, count: 0)
    selectedTarget.run(bytes)
    return 0
}

/// Chosen on first use (Swift globals are initialised lazily and once), so a target that needs
/// a server or a daemon builds it before the first input, not per input.
nonisolated(unsafe) let selectedTarget: any FuzzTarget = FuzzTargets.fromEnvironment()
