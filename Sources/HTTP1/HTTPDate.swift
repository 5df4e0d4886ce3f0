import Chronology

/// IMF-fixdate for the `Date` field (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
public enum HTTPDate {
    private static let days = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]   // 1970-01-01 was a Thursday
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    public static func format(secondsSinceEpoch t: Int64) -> String {
        let (dayCount, second) = t >= 0 ? (t / 86_400, t % 86_400) : ((t - 86_399) / 86_400, ((t % 86_400) + 86_400) % 86_400)
        let (y, m, d) = CivilDate.civil(days: Int(dayCount))
        let weekday = days[Int(((dayCount % 7) + 7) % 7)]
        let h = Int(second) / 3600, mi = Int(second) % 3600 / 60, s = Int(second) % 60
        return "\(weekday), \(CivilDate.pad(d, 2)) \(months[m - 1]) \(CivilDate.pad(y, 4)) "
            + "\(CivilDate.pad(h, 2)):\(CivilDate.pad(mi, 2)):\(CivilDate.pad(s, 2)) GMT"
    }
}
