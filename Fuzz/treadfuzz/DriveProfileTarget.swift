import TreadCore
import TreadHardware

/// The drive-profile loader (DriveProfile.parse): bytes as a profile's text. A profile that
/// loads must also give a drive whose status decoding is defined for every register value.
struct DriveProfileTarget: FuzzTarget {
    func run(_ bytes: UnsafeRawBufferPointer) {
        guard let text = LoaderChecks.text(bytes) else { return }
        let file = "fuzz-drive.toml"
        let profile: DriveProfile
        do {
            profile = try DriveProfile.parse(text, file: file)
        } catch {
            LoaderChecks.check(error, file: file, text: text)
            return
        }
        for word: UInt16 in [0, 1, 0x8000, 0xFFFF, 0x5555] { _ = profile.faultMessage(profile.faultCode(in: word)) }
        let drive = ModbusDrive(profile: profile, settings: ModbusSettings(transport: .tcp(host: "127.0.0.1", port: 1)),
                                calibration: BeltCalibration(kmhPerHz: 0.3333), acceleration: 1, deceleration: 1.5)
        _ = drive.expectedParameters
        _ = drive.description
    }
}
