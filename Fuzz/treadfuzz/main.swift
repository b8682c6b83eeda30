import Foundation

/// libFuzzer's entry point. One binary holds every target, so the fuzz build links once;
/// `$TREADFUZZ_TARGET` picks the target for the whole run (scripts/fuzz.sh sets it).
@_cdecl("LLVMFuzzerTestOneInput")
public func treadfuzzTestOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: start == nil ? 0 : count)
    selectedTarget.run(bytes)
    return 0
}

/// Chosen on first use (Swift globals are initialised lazily and once), so a target that needs
/// a server or a daemon builds it before the first input, not per input.
nonisolated(unsafe) let selectedTarget: any FuzzTarget = FuzzTargets.fromEnvironment()

/// Builds the target before the first input, so what it sets up once (a daemon, a server)
/// is not counted against that input by libFuzzer's leak check.
@_cdecl("LLVMFuzzerInitialize")
public func treadfuzzInitialize(_ argc: UnsafeMutablePointer<CInt>?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?) -> CInt {
    _ = selectedTarget
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// A debug build links executables with `main` renamed to `<module>_main` (so tests can import
/// them); under -parse-as-library nothing defines it, so it is defined here and hands over to
/// libFuzzer's driver, as libFuzzer's own `main` would. A release build uses libFuzzer's `main`.
@_cdecl("treadfuzz_main")
public func treadfuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var vector = argv
    return LLVMFuzzerRunDriver(&count, &vector) { treadfuzzTestOneInput($0, $1) }
}
