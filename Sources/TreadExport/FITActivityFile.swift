/// A FIT activity file (FIT protocol 2.0) for one session, as Garmin Connect and Strava
/// import it. Hand-written against the FIT SDK's published profile (Profile.xlsx, messages
/// and types), since no maintained Swift FIT encoder is available to this build; the tests
/// decode every file with two independent readers (Python's fitdecode and fitparse), which
/// also check both CRCs.
///
/// Messages (global number) and fields (number: profile name, type, scale), in file order:
/// - `file_id` (0): 0 type = 4 activity; 1 manufacturer = 255 development; 2 product = 0;
///   4 time_created (date_time); 8 product_name "treadd".
/// - `developer_data_id` (207): 1 application_id (16 bytes, `applicationID`); 3 developer_data_index = 0.
/// - `field_description` (206), twice: 0 developer_data_index; 1 field_definition_number;
///   2 fit_base_type_id = 0x88 float32; 3 field_name; 8 units. Field 0 `backwards_distance`
///   (m), field 1 `backwards_share` (% of the time on the moving belt); both on `session`.
/// - `sport` (12): 0 sport (running = 1, walking = 11); 1 sub_sport = 1 treadmill; 3 name.
/// - `event` (21): 253 timestamp; 0 event = 0 timer; 1 event_type = 0 start (and 4 stop_all at the end).
/// - `record` (20), at the start and at the end of every lap: 253 timestamp; 5 distance
///   (uint32, scale 100, m, cumulative); 6 speed (uint16, scale 1000, m/s: the lap's mean
///   moving speed, as treadd records no speed trace).
/// - `lap` (19), one per segment: 254 message_index; 253 timestamp; 0 event = 9 lap;
///   1 event_type = 1 stop; 2 start_time; 7 total_elapsed_time and 8 total_timer_time
///   (uint32, scale 1000, s); 9 total_distance (uint32, scale 100, m); 11 total_calories
///   (uint16, kcal; 0xFFFF invalid without an estimate); 13 avg_speed (uint16, scale 1000,
///   m/s); 23 intensity (active 0, warmup 2, cooldown 3); 24 lap_trigger (manual 0, time 1,
///   session_end 7); 25 sport; 39 sub_sport.
/// - `session` (18): 254 message_index; 253 timestamp; 0 event = 8 session; 1 event_type =
///   1 stop; 2 start_time; 5 sport; 6 sub_sport; 7 total_elapsed_time; 8 total_timer_time;
///   9 total_distance; 11 total_calories; 14 avg_speed; 25 first_lap_index; 26 num_laps;
///   28 trigger = 0 activity_end; and the two developer fields.
/// - `activity` (34): 253 timestamp; 0 total_timer_time; 1 num_sessions = 1; 2 type = 0
///   manual; 3 event = 26 activity; 4 event_type = 1 stop.
///
/// Times are `date_time`: seconds since 1989-12-31T00:00:00Z. The notes (cut short, events)
/// have no field in FIT's activity messages; the developer fields carry the backwards figures
/// and treadctl says on stderr when a session was cut short.
public enum FITActivityFile {
    /// This exporter's developer application id: the 16 bytes of "treadd-export-v1".
    public static let applicationID = Array("treadd-export-v1".utf8)
    public static let backwardsDistanceField: UInt8 = 0
    public static let backwardsShareField: UInt8 = 1

    enum Message: UInt16 {
        case fileID = 0, sport = 12, session = 18, lap = 19, record = 20, event = 21, activity = 34
        case fieldDescription = 206, developerDataID = 207
    }

    public static func encode(_ a: ExportedActivity) -> [UInt8] {
        var fit = FITEncoder()
        let start = UTCTime.fit(a.startedAt), end = UTCTime.fit(a.endedAt)
        let sport: UInt8 = a.sport == .running ? 1 : 11
        let treadmill: UInt8 = 1
        fit.write(Message.fileID.rawValue, [.enumeration(0, 4), .uint16(1, 255), .uint16(2, 0), .uint32(4, start), .string(8, "treadd")])
        fit.write(Message.developerDataID.rawValue, [.bytes(1, applicationID), .uint8(3, 0)])
        for (number, name, units) in [(backwardsDistanceField, "backwards_distance", "m"), (backwardsShareField, "backwards_share", "%")] {
            fit.write(Message.fieldDescription.rawValue, [.uint8(0, 0), .uint8(1, number), .uint8(2, FITEncoder.BaseType.float32.rawValue),
                                                          .string(3, name, maxBytes: 64), .string(8, units, maxBytes: 16)])
        }
        fit.write(Message.sport.rawValue, [.enumeration(0, sport), .enumeration(1, treadmill), .string(3, "Treadmill", maxBytes: 32)])
        fit.write(Message.event.rawValue, [.uint32(253, start), .enumeration(0, 0), .enumeration(1, 0)])
        fit.write(Message.record.rawValue, [.uint32(253, start), .scaled32(5, 0, scale: 100), .scaled16(6, 0, scale: 1000)])
        var distance = 0.0
        for (i, lap) in a.laps.enumerated() {
            distance += lap.distanceM
            let lapEnd = UTCTime.fit(lap.endedAt)
            fit.write(Message.record.rawValue, [.uint32(253, lapEnd), .scaled32(5, distance, scale: 100), .scaled16(6, lap.averageSpeed, scale: 1000)])
            fit.write(Message.lap.rawValue, [
                .uint16(254, UInt16(clamping: i)), .uint32(253, lapEnd), .enumeration(0, 9), .enumeration(1, 1),
                .uint32(2, UTCTime.fit(lap.startedAt)), .scaled32(7, lap.elapsedS, scale: 1000), .scaled32(8, lap.elapsedS, scale: 1000),
                .scaled32(9, lap.distanceM, scale: 100), calories(11, lap.kcal), .scaled16(13, lap.averageSpeed, scale: 1000),
                .enumeration(23, intensity(lap.intensity)), .enumeration(24, trigger(lap.trigger)),
                .enumeration(25, sport), .enumeration(39, treadmill),
            ])
        }
        fit.write(Message.event.rawValue, [.uint32(253, end), .enumeration(0, 0), .enumeration(1, 4)])
        fit.write(Message.session.rawValue, [
            .uint16(254, 0), .uint32(253, end), .enumeration(0, 8), .enumeration(1, 1), .uint32(2, start),
            .enumeration(5, sport), .enumeration(6, treadmill),
            .scaled32(7, a.elapsedS, scale: 1000), .scaled32(8, a.elapsedS, scale: 1000), .scaled32(9, a.distanceM, scale: 100),
            calories(11, a.kcal), .scaled16(14, a.averageSpeed, scale: 1000),
            .uint16(25, 0), .uint16(26, UInt16(clamping: a.laps.count)), .enumeration(28, 0),
        ], developer: [
            .init(number: backwardsDistanceField, developerIndex: 0, bytes: FITEncoder.le(Float(a.reverseM).bitPattern)),
            .init(number: backwardsShareField, developerIndex: 0, bytes: FITEncoder.le(Float(a.reverseTimeShare * 100).bitPattern)),
        ])
        fit.write(Message.activity.rawValue, [.uint32(253, end), .scaled32(0, a.elapsedS, scale: 1000), .uint16(1, 1),
                                              .enumeration(2, 0), .enumeration(3, 26), .enumeration(4, 1)])
        return fit.file()
    }

    static func calories(_ n: UInt8, _ kcal: Double?) -> FITEncoder.Field {
        guard let kcal else { return .uint16(n, .max) }
        return .scaled16(n, kcal, scale: 1)
    }

    static func intensity(_ i: ExportedActivity.Lap.Intensity) -> UInt8 {
        switch i {
        case .active: return 0
        case .warmup: return 2
        case .cooldown: return 3
        }
    }

    static func trigger(_ t: ExportedActivity.Lap.Trigger) -> UInt8 {
        switch t {
        case .manual: return 0
        case .time: return 1
        case .sessionEnd: return 7
        }
    }
}
