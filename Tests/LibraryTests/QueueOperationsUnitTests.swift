import Testing

@testable import Queue
@testable import Settings

@Suite struct DeadLetterRecordTests {
    /// The names docs/operations-queue.md shows for entries without a message id: what `redis.sha1hex` gives.
    @Test func anEntryWithoutAMessageIDIsNamedByTheSHA1OfItsBytes() {
        #expect(DeadLetterRecord.messageID(raw: "hello") == "sha1:aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d")
        #expect(DeadLetterRecord.messageID(raw: "12.5") == "sha1:90db4c034fdf9f384fce435b9f9b57de9906c45c")
        #expect(DeadLetterRecord.messageID(raw: #"{"v":1,"id":"m-7","count":1}"#) == "m-7")
    }

    @Test func readsACurrentRecord() {
        let stored = #"{"kind":"rejected_by_database","reason":"MariaDB error 1264","id":"m-1","raw":"{\"v\":1}","consumer":"c-1","deliveries":2,"ts":1764604800123}"#
        let record = DeadLetterRecord(stored: Array(stored.utf8))
        #expect(record == DeadLetterRecord(
            kind: "rejected_by_database", reason: "MariaDB error 1264", id: "m-1", raw: #"{"v":1}"#, consumer: "c-1", deliveries: 2,
            timestampMilliseconds: 1_764_604_800_123))
        #expect(DeadLetterRecord(stored: Array(record.json.utf8)) == record)
    }

    @Test func infersKindAndIdOfRecordsWrittenBeforeThoseFieldsExisted() {
        let reclaimed = #"{"reason":"delivered 5 times without being committed (its consumers kept dying)","raw":"{\"v\":1,\"id\":\"m-9\",\"count\":1,\"ts\":1}","consumer":"c","ts":1}"#
        #expect(DeadLetterRecord(stored: Array(reclaimed.utf8)).kind == "max_deliveries")
        #expect(DeadLetterRecord(stored: Array(reclaimed.utf8)).id == "m-9")
        let garbage = #"{"reason":"not valid JSON: unexpected character","raw":"abc","consumer":"c","ts":2}"#
        let record = DeadLetterRecord(stored: Array(garbage.utf8))
        #expect(record.kind == "undecodable")
        #expect(record.id == "sha1:a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(record.deliveries == nil)
        // Lua's cjson writes large numbers with an exponent.
        #expect(DeadLetterRecord(stored: Array(#"{"reason":"x","raw":"y","ts":1.7646048e+12}"#.utf8)).timestampMilliseconds == 1_764_604_800_000)
        #expect(DeadLetterRecord(stored: Array("not json".utf8)).raw == "not json")
    }

    @Test func aSelectorIsExactlyOneOfKindIdAndAll() throws {
        #expect(try DeadLetterSelector(all: true, kind: nil, id: nil) == .all)
        #expect(try DeadLetterSelector(all: false, kind: "max_deliveries", id: nil) == .kind(.maxDeliveries))
        #expect(try DeadLetterSelector(all: false, kind: nil, id: "m-1") == .id("m-1"))
        for (all, kind, id, message) in [
            (false, nil, nil, "say which dead letters"), (true, "undecodable", nil, "only one of"), (false, "other", nil, "unknown kind 'other'"),
            (false, nil, "", "--id needs"),
        ] as [(Bool, String?, String?, String)] {
            #expect { try DeadLetterSelector(all: all, kind: kind, id: id) } throws: { "\($0)".contains(message) }
        }
    }
}

@Suite struct HistoryTests {
    @Test func bucketsStartOnTheirMinuteAndDay() {
        #expect(HistoryResolution.minute.bucket(containing: 1_764_604_859) == 1_764_604_800)
        #expect(HistoryResolution.day.bucket(containing: 1_764_604_859) == 1_764_547_200)
        #expect(QueueKeys(queue: "count_queue").history(.minute, startingAt: 60) == "{count_queue}:history:m:60")
    }

    @Test func minutesAddUpIntoTheWindowsPoints() {
        var series = HistorySeries(window: .day, startSeconds: 0, points: 288)
        series.add(HistoryField.accepted, 2, atSeconds: 0)
        series.add(HistoryField.accepted, 3, atSeconds: 240)
        series.add(HistoryField.accepted, 4, atSeconds: 300)
        series.add(HistoryField.rejected("invalid"), 1, atSeconds: 60)
        series.add(HistoryField.accepted, 100, atSeconds: 86_400)  // outside the window
        #expect(series.values[HistoryField.accepted]?.prefix(2) == [5, 4])
        #expect(series.values[HistoryField.accepted]?.reduce(0, +) == 9)
        #expect(series.json.contains(#""rejected_by_reason":{"invalid":[1,0"#))
        #expect(series.json.hasPrefix(#"{"window":"24h","step_seconds":300,"start_ms":0,"series":{"accepted":[5,4,0"#))
    }

    @Test func aBearerTokenSettingIsLongAndPrintable() throws {
        #expect(try EnvironmentReader([:]).secretToken("ADMIN_TOKEN") == nil)
        #expect(try EnvironmentReader(["ADMIN_TOKEN": "0123456789abcdef"]).secretToken("ADMIN_TOKEN") == "0123456789abcdef")
        for bad in ["short", "has a space inside it", String(repeating: "x", count: 257)] {
            #expect { try EnvironmentReader(["ADMIN_TOKEN": bad]).secretToken("ADMIN_TOKEN") } throws: { error in
                "\(error)".contains("ADMIN_TOKEN must be 16 to 256") && !"\(error)".contains(bad)
            }
        }
    }
}
