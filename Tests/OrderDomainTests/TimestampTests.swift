import OrderDomain
import Testing

@Suite("Timestamp")
struct TimestampTests {
    @Test("known instants", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1, "1970-01-01T00:00:00.001Z"),
        (999, "1970-01-01T00:00:00.999Z"),
        (86_399_999, "1970-01-01T23:59:59.999Z"),
        (86_400_000, "1970-01-02T00:00:00.000Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),
        (951_868_800_000, "2000-03-01T00:00:00.000Z"),
        (1_000_000_000_000, "2001-09-09T01:46:40.000Z"),
        (1_700_000_000_123, "2023-11-14T22:13:20.123Z"),
        (1_709_164_800_000, "2024-02-29T00:00:00.000Z"),
        (2_147_483_647_000, "2038-01-19T03:14:07.000Z"),
        (4_107_542_400_000, "2100-03-01T00:00:00.000Z"),
        (4_107_542_399_999, "2100-02-28T23:59:59.999Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (253_402_300_800_000, "10000-01-01T00:00:00.000Z"),
        // Before 1970.
        (-1, "1969-12-31T23:59:59.999Z"),
        (-999, "1969-12-31T23:59:59.001Z"),
        (-1_000, "1969-12-31T23:59:59.000Z"),
        (-86_400_000, "1969-12-31T00:00:00.000Z"),
        (-86_400_001, "1969-12-30T23:59:59.999Z"),
        (-14_256_000_000, "1969-07-20T00:00:00.000Z"),
        (-2_203_891_200_000, "1900-03-01T00:00:00.000Z"),
        (-2_203_977_600_000, "1900-02-28T00:00:00.000Z"),
        (-11_670_998_400_000, "1600-02-29T00:00:00.000Z"),
        (-62_135_596_800_000, "0001-01-01T00:00:00.000Z"),
        (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
    ])
    func knownInstants(millis: Int64, text: String) {
        #expect(Timestamp(millisecondsSince1970: millis).iso8601 == text)
    }

    /// Every day from 1600 to 2400 against a naive day-by-day calendar.
    @Test func everyDayMatchesANaiveCalendar() {
        func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }
        func length(_ y: Int, _ m: Int) -> Int {
            let lengths: [Int] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            return m == 2 && isLeap(y) ? 29 : lengths[m - 1]
        }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let start: Int64 = -11_676_096_000_000  // 1600-01-01
        var (y, m, d) = (1600, 1, 1)
        var mismatches: [String] = []
        var day: Int64 = 0
        while y < 2401 {
            let noon = start + day * 86_400_000 + 43_200_000
            let expected = "\(y)-\(two(m))-\(two(d))T12:00:00.000Z"
            let actual = Timestamp(millisecondsSince1970: noon).iso8601
            if actual != expected, mismatches.count < 10 { mismatches.append("\(expected) vs \(actual)") }
            day += 1
            d += 1
            if d > length(y, m) { d = 1; m += 1 }
            if m > 12 { m = 1; y += 1 }
        }
        #expect(day == 292_560)
        #expect(mismatches.isEmpty, "\(mismatches)")
    }

    @Test func timeOfDayFields() {
        let base: Int64 = 951_782_400_000  // 2000-02-29T00:00:00.000Z
        let offset: Int64 = 13 * 3_600_000 + 7 * 60_000 + 5_000 + 42
        let t = Timestamp(millisecondsSince1970: base + offset)
        #expect(t.iso8601 == "2000-02-29T13:07:05.042Z")
        let before = Timestamp(millisecondsSince1970: -offset)
        #expect(before.iso8601 == "1969-12-31T10:52:54.958Z")
    }

    /// BUG: years before 0000 are padded around the minus sign ("00-1-12-31T…").
    @Test func yearsBeforeZeroKeepTheirSignInFront() {
        let t = Timestamp(millisecondsSince1970: -62_167_219_200_001)
        #expect(t.iso8601 == "-0001-12-31T23:59:59.999Z")
    }

    /// BUG: `millis - 86_399_999` overflows for the smallest Int64 values and traps.
    @Test func theSmallestTimestampDoesNotCrash() async {
        await #expect(processExitsWith: .success) {
            precondition(Timestamp(millisecondsSince1970: .min).iso8601.hasSuffix("Z"))
        }
    }

    @Test func theLargestTimestampFormats() {
        #expect(Timestamp(millisecondsSince1970: .max).iso8601 == "292278994-08-17T07:12:55.807Z")
    }

    @Test func addingAndOrdering() {
        let t = Timestamp(millisecondsSince1970: 1_000)
        #expect(t.adding(milliseconds: 500).millisecondsSince1970 == 1_500)
        #expect(t.adding(milliseconds: -2_000).millisecondsSince1970 == -1_000)
        #expect(t < t.adding(milliseconds: 1))
        #expect(!(t < t))
        #expect(t == Timestamp(millisecondsSince1970: 1_000))
    }
}
