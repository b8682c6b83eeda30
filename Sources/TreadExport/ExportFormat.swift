/// The file formats `treadctl history export` writes.
public enum ExportFormat: String, CaseIterable, Sendable {
    case tcx, fit

    public var fileExtension: String { rawValue }

    /// The file's bytes for `activity`.
    public func encode(_ activity: ExportedActivity) -> [UInt8] {
        switch self {
        case .tcx: return Array(TCXDocument.render(activity).utf8)
        case .fit: return FITActivityFile.encode(activity)
        }
    }
}
