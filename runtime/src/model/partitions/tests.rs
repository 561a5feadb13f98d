//! Unit tests for the partitions model.

use jiff::{SignedDuration, Timestamp};

use super::*;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn keys(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn daily(start: &str) -> TimeWindowPartitionsBuilder {
    TimeWindowPartitionsDefinition::daily(start)
}

fn def(builder: TimeWindowPartitionsBuilder) -> PartitionsDefinition {
    builder.build().unwrap().into()
}

fn err_text(result: crate::error::Result<impl std::fmt::Debug>) -> String {
    result.unwrap_err().to_string()
}

fn ny(builder: TimeWindowPartitionsBuilder) -> PartitionsDefinition {
    def(builder.timezone("America/New_York"))
}

#[test]
fn definitions_are_clone_debug_send_sync_eq() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync + PartialEq + 'static>() {}
    assert_traits::<PartitionsDefinition>();
    assert_traits::<PartitionMapping>();
    assert_traits::<MultiPartitionKey>();
    assert_traits::<TimeWindow>();
    assert_eq!(def(daily("2022-01-01")), def(daily("2022-01-01")));
    assert_ne!(def(daily("2022-01-01")), def(daily("2022-01-02")));
    assert_ne!(def(daily("2022-01-01")), ny(daily("2022-01-01")));
}

// ---- time windows ------------------------------------------------------

#[test]
fn daily_keys_exist_once_their_window_has_ended() {
    let d = def(daily("2022-01-01"));
    assert_eq!(
        d.partition_keys(ts("2022-01-01T23:59:59Z")).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        d.partition_keys(ts("2022-01-02T00:00:00Z")).unwrap(),
        keys(&["2022-01-01"])
    );
    assert_eq!(
        d.partition_keys(ts("2022-01-04T12:00:00Z")).unwrap(),
        keys(&["2022-01-01", "2022-01-02", "2022-01-03"])
    );
    assert_eq!(
        d.key_index("2022-01-03", ts("2022-01-04T12:00:00Z"))
            .unwrap(),
        2
    );
    assert_eq!(
        d.first_partition_key(ts("2022-01-04T12:00:00Z"))
            .unwrap()
            .as_deref(),
        Some("2022-01-01")
    );
    assert_eq!(
        d.last_partition_key(ts("2022-01-04T12:00:00Z"))
            .unwrap()
            .as_deref(),
        Some("2022-01-03")
    );
}

#[test]
fn hourly_start_accepts_fmt_or_iso_date_and_minute_offset_moves_boundaries() {
    let a = def(TimeWindowPartitionsDefinition::hourly("2022-01-01-00:00"));
    let b = def(TimeWindowPartitionsDefinition::hourly("2022-01-01"));
    assert_eq!(a, b);
    let h = def(TimeWindowPartitionsDefinition::hourly("2022-01-01-00:00").minute_offset(15));
    assert_eq!(
        h.partition_keys(ts("2022-01-01T02:15:00Z")).unwrap(),
        keys(&["2022-01-01-00:15", "2022-01-01-01:15"])
    );
    let err = err_text(h.validate_key("2022-01-01-01:00", ts("2022-01-02T00:00:00Z")));
    assert!(err.contains("not the start of a partition"), "{err}");
    assert!(
        err.contains("the next hourly partition starts at `2022-01-01-01:15`"),
        "{err}"
    );
}

#[test]
fn daily_hour_offset_and_custom_fmt() {
    let d = def(daily("2022-01-01").hour_offset(6).minute_offset(30));
    let w = d.time_window_for_key("2022-01-02").unwrap();
    assert_eq!(w.start.timestamp(), ts("2022-01-02T06:30:00Z"));
    assert_eq!(w.end.timestamp(), ts("2022-01-03T06:30:00Z"));
    // The 2022-01-02 partition ends at 06:30 on the 3rd.
    assert_eq!(
        d.partition_keys(ts("2022-01-03T06:29:00Z")).unwrap(),
        keys(&["2022-01-01"])
    );
    assert_eq!(
        d.partition_keys(ts("2022-01-03T06:30:00Z")).unwrap(),
        keys(&["2022-01-01", "2022-01-02"])
    );

    let d = def(daily("20220101").fmt("%Y%m%d"));
    assert_eq!(
        d.partition_keys(ts("2022-01-03T00:00:00Z")).unwrap(),
        keys(&["20220101", "20220102"])
    );
}

#[test]
fn daily_windows_span_23_and_25_hours_on_dst_days() {
    let d = ny(daily("2022-01-01"));
    let hours = |key: &str| d.time_window_for_key(key).unwrap().duration();
    assert_eq!(hours("2022-03-12"), SignedDuration::from_hours(24));
    assert_eq!(hours("2022-03-13"), SignedDuration::from_hours(23));
    assert_eq!(hours("2022-11-06"), SignedDuration::from_hours(25));
    let w = d.time_window_for_key("2022-03-13").unwrap();
    assert_eq!(w.start.timestamp(), ts("2022-03-13T05:00:00Z")); // midnight EST
    assert_eq!(w.end.timestamp(), ts("2022-03-14T04:00:00Z")); // midnight EDT
    assert_eq!(w.start.time_zone().iana_name(), Some("America/New_York"));
}

#[test]
fn daily_boundary_in_a_dst_gap_moves_forward() {
    // 02:00 does not exist on 2022-03-13 in New York: that boundary is 03:00.
    let d = ny(daily("2022-03-01").hour_offset(2));
    let w = d.time_window_for_key("2022-03-13").unwrap();
    assert_eq!(w.start.timestamp(), ts("2022-03-13T07:00:00Z")); // 03:00 EDT
    assert_eq!(w.end.timestamp(), ts("2022-03-14T06:00:00Z")); // 02:00 EDT
    let w = d.time_window_for_key("2022-03-12").unwrap();
    assert_eq!(w.duration(), SignedDuration::from_hours(24));
}

fn assert_hourly_keys_unique_and_ordered(d: &PartitionsDefinition, now: Timestamp) -> Vec<String> {
    let keys = d.partition_keys(now).unwrap();
    let mut sorted = keys.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), keys.len(), "duplicate keys in {keys:?}");
    let windows: Vec<TimeWindow> = keys
        .iter()
        .map(|k| d.time_window_for_key(k).unwrap())
        .collect();
    for (i, w) in windows.iter().enumerate() {
        assert_eq!(
            w.duration(),
            SignedDuration::from_hours(1),
            "window of {}",
            keys[i]
        );
        if let Some(next) = windows.get(i + 1) {
            assert_eq!(w.end, next.start, "gap or overlap after {}", keys[i]);
        }
    }
    keys
}

#[test]
fn hourly_keys_across_spring_forward_skip_the_missing_hour() {
    let d = ny(TimeWindowPartitionsDefinition::hourly("2022-03-13-00:00"));
    let keys = assert_hourly_keys_unique_and_ordered(&d, ts("2022-03-14T04:00:00Z"));
    assert_eq!(keys.len(), 23);
    assert_eq!(
        &keys[..3],
        ["2022-03-13-00:00", "2022-03-13-01:00", "2022-03-13-03:00"]
    );
    let err = err_text(d.validate_key("2022-03-13-02:00", ts("2022-03-14T04:00:00Z")));
    assert!(err.contains("partition key `2022-03-13-02:00`"), "{err}");
}

#[test]
fn hourly_keys_across_fall_back_mark_the_repeated_hour() {
    let d = ny(TimeWindowPartitionsDefinition::hourly("2022-11-06-00:00"));
    let keys = assert_hourly_keys_unique_and_ordered(&d, ts("2022-11-07T05:00:00Z"));
    assert_eq!(keys.len(), 25);
    assert_eq!(
        &keys[..4],
        [
            "2022-11-06-00:00",
            "2022-11-06-01:00",
            "2022-11-06-01:00_POST_DST_TRANSITION",
            "2022-11-06-02:00"
        ]
    );
    let first = d.time_window_for_key("2022-11-06-01:00").unwrap();
    let second = d
        .time_window_for_key("2022-11-06-01:00_POST_DST_TRANSITION")
        .unwrap();
    assert_eq!(first.start.timestamp(), ts("2022-11-06T05:00:00Z"));
    assert_eq!(second.start.timestamp(), ts("2022-11-06T06:00:00Z"));
    let now = ts("2022-11-07T05:00:00Z");
    assert_eq!(
        d.key_index("2022-11-06-01:00_POST_DST_TRANSITION", now)
            .unwrap(),
        2
    );
    // Timestamps map to the right key on both sides of the transition.
    let tw = d.as_time_window().unwrap();
    assert_eq!(
        tw.key_for_timestamp(ts("2022-11-06T06:30:00Z")).unwrap(),
        "2022-11-06-01:00_POST_DST_TRANSITION"
    );
    assert_eq!(
        tw.key_for_timestamp(ts("2022-11-06T05:59:59Z")).unwrap(),
        "2022-11-06-01:00"
    );
}

#[test]
fn weekly_boundaries_default_to_sunday_and_follow_day_offset() {
    let now = ts("2022-02-01T00:00:00Z");
    // 2022-01-01 is a Saturday: the first weekly partition starts Sunday the 2nd.
    let w = def(TimeWindowPartitionsDefinition::weekly("2022-01-01"));
    assert_eq!(
        w.partition_keys(now).unwrap(),
        keys(&["2022-01-02", "2022-01-09", "2022-01-16", "2022-01-23"])
    );
    let window = w.time_window_for_key("2022-01-09").unwrap();
    assert_eq!(window.duration(), SignedDuration::from_hours(7 * 24));
    // Not a Sunday: not a weekly key.
    assert!(!w.has_partition_key("2022-01-10", now));

    let monday = def(TimeWindowPartitionsDefinition::weekly("2022-01-01").day_offset(1));
    assert_eq!(
        monday.first_partition_key(now).unwrap().as_deref(),
        Some("2022-01-03")
    );
    assert_eq!(
        monday.last_partition_key(now).unwrap().as_deref(),
        Some("2022-01-24")
    );

    // A week containing the spring-forward transition is one hour short.
    let w = ny(TimeWindowPartitionsDefinition::weekly("2022-03-01"));
    assert_eq!(
        w.time_window_for_key("2022-03-13").unwrap().duration(),
        SignedDuration::from_hours(167)
    );
}

#[test]
fn monthly_boundaries_and_day_offset() {
    let now = ts("2022-05-10T00:00:00Z");
    let m = def(TimeWindowPartitionsDefinition::monthly("2022-01-15"));
    // The first boundary at or after the 15th of January is February 1st.
    assert_eq!(
        m.partition_keys(now).unwrap(),
        keys(&["2022-02-01", "2022-03-01", "2022-04-01"])
    );
    assert_eq!(
        m.time_window_for_key("2022-02-01").unwrap().duration(),
        SignedDuration::from_hours(28 * 24)
    );
    assert_eq!(
        m.time_window_for_key("2024-02-01").unwrap().duration(),
        SignedDuration::from_hours(29 * 24)
    );

    let mid = def(TimeWindowPartitionsDefinition::monthly("2022-01-01").day_offset(15));
    assert_eq!(
        mid.partition_keys(now).unwrap(),
        keys(&["2022-01-15", "2022-02-15", "2022-03-15"])
    );

    // A month key format works too (the day defaults to the 1st).
    let ym = def(TimeWindowPartitionsDefinition::monthly("2022-01").fmt("%Y-%m"));
    assert_eq!(
        ym.partition_keys(now).unwrap(),
        keys(&["2022-01", "2022-02", "2022-03", "2022-04"])
    );
}

#[test]
fn end_is_exclusive_and_end_offset_extends_or_shortens() {
    let now = ts("2022-01-04T12:00:00Z");
    let ended = def(daily("2022-01-01").end("2022-01-03"));
    assert_eq!(
        ended.partition_keys(ts("2030-01-01T00:00:00Z")).unwrap(),
        keys(&["2022-01-01", "2022-01-02"])
    );
    assert_eq!(
        ended.partition_keys(now).unwrap(),
        keys(&["2022-01-01", "2022-01-02"])
    );

    let plus_one = def(daily("2022-01-01").end_offset(1));
    assert_eq!(
        plus_one.partition_keys(now).unwrap(),
        keys(&["2022-01-01", "2022-01-02", "2022-01-03", "2022-01-04"])
    );
    let plus_two = def(daily("2022-01-01").end_offset(2));
    assert_eq!(
        plus_two.last_partition_key(now).unwrap().as_deref(),
        Some("2022-01-05")
    );
    let minus_one = def(daily("2022-01-01").end_offset(-1));
    assert_eq!(
        minus_one.partition_keys(now).unwrap(),
        keys(&["2022-01-01", "2022-01-02"])
    );
    let minus_many = def(daily("2022-01-01").end_offset(-10));
    assert!(minus_many.partition_keys(now).unwrap().is_empty());
    // end caps end_offset.
    let capped = def(daily("2022-01-01").end("2022-01-04").end_offset(5));
    assert_eq!(
        capped.partition_keys(now).unwrap(),
        keys(&["2022-01-01", "2022-01-02", "2022-01-03"])
    );
    assert!(!capped.has_partition_key("2022-01-04", now));
}

#[test]
fn keys_in_range_are_ordered_and_checked() {
    let now = ts("2022-01-10T00:00:00Z");
    let d = def(daily("2022-01-01"));
    assert_eq!(
        d.keys_in_range(&PartitionKeyRange::new("2022-01-03", "2022-01-05"), now)
            .unwrap(),
        keys(&["2022-01-03", "2022-01-04", "2022-01-05"])
    );
    assert_eq!(
        d.keys_in_range(&PartitionKeyRange::single("2022-01-09"), now)
            .unwrap(),
        keys(&["2022-01-09"])
    );
    let err = err_text(d.keys_in_range(&PartitionKeyRange::new("2021-12-30", "2022-01-02"), now));
    assert!(
        err.contains("start `2021-12-30`")
            && err.contains("before the first partition `2022-01-01`"),
        "{err}"
    );
    let err = err_text(d.keys_in_range(&PartitionKeyRange::new("2022-01-02", "2022-01-10"), now));
    assert!(
        err.contains("end `2022-01-10`") && err.contains("after the last partition `2022-01-09`"),
        "{err}"
    );
    let err = err_text(d.keys_in_range(&PartitionKeyRange::new("2022-01-05", "2022-01-02"), now));
    assert!(err.contains("the start is after the end"), "{err}");

    let s = PartitionsDefinition::static_keys(["c", "a", "b"]).unwrap();
    assert_eq!(
        s.keys_in_range(&PartitionKeyRange::new("a", "b"), now)
            .unwrap(),
        keys(&["a", "b"])
    );
    let err = err_text(s.keys_in_range(&PartitionKeyRange::new("a", "z"), now));
    assert!(err.contains("end `z`: it is not one of the keys"), "{err}");
    assert!(
        s.keys_in_range(&PartitionKeyRange::new("b", "c"), now)
            .is_err()
    );

    let selection = PartitionSelection::from(PartitionKeyRange::new("2022-01-01", "2022-01-03"));
    assert_eq!(
        selection.keys(&d, now).unwrap(),
        keys(&["2022-01-01", "2022-01-02", "2022-01-03"])
    );
}

// ---- bad inputs --------------------------------------------------------

#[test]
fn unknown_timezone_is_named() {
    let err = err_text(daily("2022-01-01").timezone("Mars/Olympus_Mons").build());
    assert!(err.starts_with("invalid partitions definition: unknown timezone `Mars/Olympus_Mons` for daily partitions"), "{err}");
}

#[test]
fn bad_start_or_end_for_the_format_is_named() {
    let err = err_text(daily("2022-13-45").build());
    assert!(
        err.contains("start `2022-13-45` of daily partitions does not match the format `%Y-%m-%d`"),
        "{err}"
    );
    let err = err_text(daily("2022-01-01").end("someday").build());
    assert!(err.contains("end `someday`"), "{err}");
    let err = err_text(daily("01/02/2022").fmt("%Y-%m-%d").build());
    assert!(
        err.contains("`01/02/2022`") && err.contains("`%Y-%m-%d`"),
        "{err}"
    );
}

#[test]
fn start_after_end_is_refused() {
    let err = err_text(daily("2022-02-01").end("2022-01-01").build());
    assert_eq!(
        err,
        "invalid partitions definition: start `2022-02-01` of daily partitions is not before end `2022-01-01`"
    );
    assert!(daily("2022-01-01").end("2022-01-01").build().is_err());
}

#[test]
fn offsets_and_formats_are_checked() {
    let err = err_text(daily("2022-01-01").day_offset(2).build());
    assert!(
        err.contains("day_offset does not apply to daily partitions"),
        "{err}"
    );
    let err = err_text(
        TimeWindowPartitionsDefinition::hourly("2022-01-01")
            .hour_offset(2)
            .build(),
    );
    assert!(
        err.contains("hour_offset does not apply to hourly partitions"),
        "{err}"
    );
    let err = err_text(
        TimeWindowPartitionsDefinition::weekly("2022-01-01")
            .day_offset(7)
            .build(),
    );
    assert!(
        err.contains("day_offset 7 of weekly partitions is out of range (0..=6)"),
        "{err}"
    );
    let err = err_text(daily("2022-01-01").minute_offset(60).build());
    assert!(err.contains("minute_offset 60"), "{err}");
    // A format that cannot tell consecutive partitions apart.
    let err = err_text(daily("2022-01-01").fmt("%Y-%m").build());
    assert!(
        err.contains("format `%Y-%m` gives the same key `2022-01` to consecutive daily partitions"),
        "{err}"
    );
}

#[test]
fn static_keys_are_checked() {
    let err = err_text(StaticPartitionsDefinition::new(["a", ""]));
    assert_eq!(
        err,
        "invalid partitions definition: static partition key is empty"
    );
    let err = err_text(StaticPartitionsDefinition::new(["a", "b", "a"]));
    assert_eq!(
        err,
        "invalid partitions definition: duplicate static partition key `a`"
    );
    for bad in ["a/b", "a\\b", "nul\0", ".."] {
        let err = err_text(StaticPartitionsDefinition::new([bad]));
        assert!(
            err.starts_with("invalid partitions definition: static partition key `"),
            "{err}"
        );
    }
    assert!(StaticPartitionsDefinition::new(["a..b", "x.y"]).is_ok());
}

#[test]
fn keys_not_in_the_definition_are_named() {
    let now = ts("2022-01-10T00:00:00Z");
    let d = def(daily("2022-01-01"));
    let err = err_text(d.validate_key("2021-12-31", now));
    assert!(err.starts_with("partition key `2021-12-31` is not a partition of daily partitions from 2022-01-01 (UTC)"), "{err}");
    assert!(
        err.contains("before the first partition `2022-01-01`"),
        "{err}"
    );
    let err = err_text(d.validate_key("Jan 3", now));
    assert!(
        err.contains("does not match the format `%Y-%m-%d`"),
        "{err}"
    );
    let err = err_text(d.key_index("2022-01-10", now));
    assert!(
        err.contains("after the last partition `2022-01-09`"),
        "{err}"
    );
    let s = PartitionsDefinition::static_keys(["a", "b"]).unwrap();
    assert_eq!(
        err_text(s.key_index("z", now)),
        "partition key `z` is not a partition of static partitions [a, b]: it is not one of the keys"
    );
    let err = err_text(s.time_window_for_key("a"));
    assert!(
        err.contains("has no time window") && err.contains("static partition `a`"),
        "{err}"
    );
}

// ---- multi partitions --------------------------------------------------

fn abc_date() -> MultiPartitionsDefinition {
    MultiPartitionsDefinition::new([
        (
            "date",
            PartitionsDefinition::from(daily("2020-01-01").build().unwrap()),
        ),
        (
            "abc",
            PartitionsDefinition::static_keys(["a", "b", "c"]).unwrap(),
        ),
    ])
    .unwrap()
}

#[test]
fn multi_key_string_round_trips_in_dimension_name_order() {
    let key = MultiPartitionKey::new([("date", "2020-01-01"), ("abc", "a")]);
    assert_eq!(key.to_string(), "a|2020-01-01");
    let multi = abc_date();
    assert_eq!(multi.dimension_names(), ["abc", "date"]);
    let parsed = multi.parse_key("a|2020-01-01").unwrap();
    assert_eq!(parsed, key);
    assert_eq!(
        parsed.keys_by_dimension().get("date").map(String::as_str),
        Some("2020-01-01")
    );
    assert_eq!(parsed.get("abc"), Some("a"));
    let err = err_text(multi.parse_key("a|b|2020-01-01"));
    assert!(err.contains("expected 2 keys separated by `|`"), "{err}");
}

#[test]
fn multi_partitions_are_the_product_in_dimension_order() {
    let now = ts("2020-01-03T00:00:00Z");
    let multi: PartitionsDefinition = abc_date().into();
    assert_eq!(
        multi.partition_keys(now).unwrap(),
        keys(&[
            "a|2020-01-01",
            "a|2020-01-02",
            "b|2020-01-01",
            "b|2020-01-02",
            "c|2020-01-01",
            "c|2020-01-02"
        ])
    );
    assert_eq!(multi.key_index("b|2020-01-02", now).unwrap(), 3);
    assert!(multi.has_partition_key("c|2020-01-01", now));
    let err = err_text(multi.validate_key("d|2020-01-01", now));
    assert!(
        err.contains("dimension `abc`: it is not one of the keys"),
        "{err}"
    );
    let err = err_text(multi.validate_key("a|2020-01-05", now));
    assert!(err.contains("dimension `date`"), "{err}");
    let w = multi.time_window_for_key("b|2020-01-02").unwrap();
    assert_eq!(w.start.timestamp(), ts("2020-01-02T00:00:00Z"));
    assert_eq!(
        multi
            .keys_in_range(&PartitionKeyRange::new("a|2020-01-02", "b|2020-01-01"), now)
            .unwrap(),
        keys(&["a|2020-01-02", "b|2020-01-01"])
    );
}

#[test]
fn multi_definitions_are_checked() {
    let s = || PartitionsDefinition::static_keys(["x"]).unwrap();
    let err = err_text(MultiPartitionsDefinition::new([("a", s())]));
    assert!(err.contains("exactly two dimensions, found 1"), "{err}");
    let err = err_text(MultiPartitionsDefinition::new([
        ("a", s()),
        ("b", s()),
        ("c", s()),
    ]));
    assert!(err.contains("found 3"), "{err}");
    let err = err_text(MultiPartitionsDefinition::new([("a", s()), ("a", s())]));
    assert!(err.contains("two dimensions named `a`"), "{err}");
    let piped = PartitionsDefinition::static_keys(["x|y"]).unwrap();
    let err = err_text(MultiPartitionsDefinition::new([("a", s()), ("b", piped)]));
    assert!(err.contains("`x|y` of dimension `b` contains `|`"), "{err}");
    let nested: PartitionsDefinition = abc_date().into();
    let err = err_text(MultiPartitionsDefinition::new([("a", s()), ("b", nested)]));
    assert!(
        err.contains("dimension `b` of multi partitions is itself multi-partitioned"),
        "{err}"
    );
    let two_static = MultiPartitionsDefinition::new([("a", s()), ("b", s())]).unwrap();
    assert!(err_text(two_static.time_window_for_key("x|x")).contains("no time window"));
}

// ---- mappings ----------------------------------------------------------

fn map(
    mapping: &PartitionMapping,
    down: Option<&PartitionsDefinition>,
    down_keys: &[&str],
    up: &PartitionsDefinition,
    now: Timestamp,
) -> crate::error::Result<Vec<String>> {
    upstream_keys_for(mapping, down, &keys(down_keys), up, now)
}

#[test]
fn hourly_upstream_daily_downstream_maps_to_24_hours() {
    let hourly = def(TimeWindowPartitionsDefinition::hourly("2022-01-01-00:00"));
    let daily = def(daily("2022-01-01"));
    let mapping = default_mapping(&hourly, Some(&daily)).unwrap();
    assert_eq!(mapping, PartitionMapping::time_window(0, 0));
    let now = ts("2022-01-03T00:00:00Z");
    let up = map(&mapping, Some(&daily), &["2022-01-01"], &hourly, now).unwrap();
    let expected: Vec<String> = (0..24).map(|h| format!("2022-01-01-{h:02}:00")).collect();
    assert_eq!(up, expected);
    // A range of two days: 48 hours, in order, no duplicates.
    let up = map(
        &mapping,
        Some(&daily),
        &["2022-01-02", "2022-01-01", "2022-01-02"],
        &hourly,
        now,
    )
    .unwrap();
    assert_eq!(up.len(), 48);
    assert_eq!(up[24], "2022-01-02-00:00");
}

#[test]
fn hourly_to_daily_in_new_york_follows_dst() {
    let hourly = ny(TimeWindowPartitionsDefinition::hourly("2022-01-01-00:00"));
    let daily = ny(daily("2022-01-01"));
    let mapping = default_mapping(&hourly, Some(&daily)).unwrap();
    let now = ts("2022-12-01T00:00:00Z");
    let spring = map(&mapping, Some(&daily), &["2022-03-13"], &hourly, now).unwrap();
    assert_eq!(spring.len(), 23);
    assert!(!spring.iter().any(|k| k == "2022-03-13-02:00"));
    let fall = map(&mapping, Some(&daily), &["2022-11-06"], &hourly, now).unwrap();
    assert_eq!(fall.len(), 25);
    assert_eq!(fall[2], "2022-11-06-01:00_POST_DST_TRANSITION");
    assert_eq!(
        map(&mapping, Some(&daily), &["2022-07-04"], &hourly, now)
            .unwrap()
            .len(),
        24
    );
}

#[test]
fn daily_upstream_hourly_downstream_maps_to_the_containing_day() {
    let hourly = def(TimeWindowPartitionsDefinition::hourly("2022-01-01-00:00"));
    let daily = def(daily("2022-01-01"));
    let now = ts("2022-01-03T00:00:00Z");
    let up = map(
        &PartitionMapping::time_window(0, 0),
        Some(&hourly),
        &["2022-01-02-13:00"],
        &daily,
        now,
    )
    .unwrap();
    assert_eq!(up, keys(&["2022-01-02"]));
}

#[test]
fn weekly_upstream_monthly_downstream_includes_partial_weeks() {
    let weekly = def(TimeWindowPartitionsDefinition::weekly("2022-01-01"));
    let monthly = def(TimeWindowPartitionsDefinition::monthly("2022-01-01"));
    let now = ts("2022-04-01T00:00:00Z");
    let up = map(
        &PartitionMapping::time_window(0, 0),
        Some(&monthly),
        &["2022-02-01"],
        &weekly,
        now,
    )
    .unwrap();
    // February 2022 runs Tuesday the 1st to Monday the 28th.
    assert_eq!(
        up,
        keys(&[
            "2022-01-30",
            "2022-02-06",
            "2022-02-13",
            "2022-02-20",
            "2022-02-27"
        ])
    );
}

#[test]
fn static_upstream_is_loaded_whole_by_an_unpartitioned_downstream() {
    let up = PartitionsDefinition::static_keys(["A", "B"]).unwrap();
    let mapping = default_mapping(&up, None).unwrap();
    assert_eq!(mapping, PartitionMapping::All);
    let now = ts("2022-01-01T00:00:00Z");
    assert_eq!(
        map(&mapping, None, &[], &up, now).unwrap(),
        keys(&["A", "B"])
    );
    let err = err_text(map(&mapping, None, &["A"], &up, now));
    assert!(
        err.contains("the downstream is not partitioned, but partition keys were given"),
        "{err}"
    );
    let err = err_text(map(&PartitionMapping::Identity, None, &[], &up, now));
    assert!(
        err.contains("partition mapping Identity: the downstream is not partitioned"),
        "{err}"
    );
}

#[test]
fn daily_self_dependency_on_the_previous_partition() {
    let d = def(daily("2020-01-01"));
    let now = ts("2020-02-01T00:00:00Z");
    let previous = PartitionMapping::time_window(-1, -1);
    assert_eq!(
        map(&previous, Some(&d), &["2020-01-01"], &d, now).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        map(&previous, Some(&d), &["2020-01-02"], &d, now).unwrap(),
        keys(&["2020-01-01"])
    );
    assert_eq!(
        map(&previous, Some(&d), &["2020-01-31"], &d, now).unwrap(),
        keys(&["2020-01-30"])
    );
    // start_offset alone widens the window backwards: previous and same day.
    let widened = PartitionMapping::time_window(-1, 0);
    assert_eq!(
        map(&widened, Some(&d), &["2020-01-02"], &d, now).unwrap(),
        keys(&["2020-01-01", "2020-01-02"])
    );
    assert_eq!(
        map(&widened, Some(&d), &["2020-01-01"], &d, now).unwrap(),
        keys(&["2020-01-01"])
    );
    // The next partition does not exist yet for the last one: dropped.
    let next = PartitionMapping::time_window(1, 1);
    assert_eq!(
        map(&next, Some(&d), &["2020-01-31"], &d, now).unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn mappings_with_no_upstream_keys_return_empty() {
    let now = ts("2022-01-01T00:00:00Z");
    let up = PartitionsDefinition::static_keys(["a", "b"]).unwrap();
    let down = PartitionsDefinition::static_keys(["x", "y"]).unwrap();
    let mapping = PartitionMapping::static_mapping([("a", "x"), ("b", "x")]);
    assert_eq!(
        map(&mapping, Some(&down), &["y"], &up, now).unwrap(),
        Vec::<String>::new()
    );
    // No upstream partition yet: LastPartition and All give nothing.
    let future = def(daily("2030-01-01"));
    assert_eq!(
        map(&PartitionMapping::LastPartition, None, &[], &future, now).unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(
        map(&PartitionMapping::All, None, &[], &future, now).unwrap(),
        Vec::<String>::new()
    );
    let d = def(daily("2021-12-01"));
    assert_eq!(
        map(&PartitionMapping::LastPartition, None, &[], &d, now).unwrap(),
        keys(&["2021-12-31"])
    );
}

#[test]
fn static_mapping_goes_from_upstream_to_downstream() {
    let now = ts("2022-01-01T00:00:00Z");
    let up = PartitionsDefinition::static_keys(["b1", "a1", "a2"]).unwrap();
    let down = PartitionsDefinition::static_keys(["a", "b"]).unwrap();
    let mapping =
        PartitionMapping::static_mapping([("a1", "a"), ("a2", "a"), ("b1", "b"), ("a2", "b")]);
    assert_eq!(
        map(&mapping, Some(&down), &["a"], &up, now).unwrap(),
        keys(&["a1", "a2"])
    );
    assert_eq!(
        map(&mapping, Some(&down), &["b"], &up, now).unwrap(),
        keys(&["b1", "a2"])
    );
    assert_eq!(
        map(&mapping, Some(&down), &["a", "b"], &up, now).unwrap(),
        keys(&["b1", "a1", "a2"])
    );
    let bad = PartitionMapping::static_mapping([("zz", "a")]);
    let err = err_text(map(&bad, Some(&down), &["a"], &up, now));
    assert!(
        err.contains("mapping source `zz` is not a partition of upstream"),
        "{err}"
    );
    let bad = PartitionMapping::static_mapping([("a1", "q")]);
    let err = err_text(map(&bad, Some(&down), &["a"], &up, now));
    assert!(
        err.contains("mapping target `q` is not a partition of downstream"),
        "{err}"
    );
}

#[test]
fn identity_and_specific_need_existing_upstream_keys() {
    let now = ts("2022-01-01T00:00:00Z");
    let up = PartitionsDefinition::static_keys(["a", "b"]).unwrap();
    let down = PartitionsDefinition::static_keys(["a", "b", "c"]).unwrap();
    assert_eq!(
        map(
            &PartitionMapping::Identity,
            Some(&down),
            &["b", "a"],
            &up,
            now
        )
        .unwrap(),
        keys(&["a", "b"])
    );
    let err = err_text(map(
        &PartitionMapping::Identity,
        Some(&down),
        &["c"],
        &up,
        now,
    ));
    assert!(
        err.contains(
            "needs upstream partition `c`, which is not a partition of static partitions [a, b]"
        ),
        "{err}"
    );
    let err = err_text(map(
        &PartitionMapping::Identity,
        Some(&down),
        &["d"],
        &up,
        now,
    ));
    assert!(
        err.contains(
            "downstream partition key `d` is not a partition of static partitions [a, b, c]"
        ),
        "{err}"
    );
    let specific = PartitionMapping::Specific(keys(&["b"]));
    assert_eq!(
        map(&specific, Some(&down), &["a"], &up, now).unwrap(),
        keys(&["b"])
    );
}

#[test]
fn time_window_mapping_names_missing_upstream_partitions() {
    let hourly = def(TimeWindowPartitionsDefinition::hourly("2022-01-01-05:00"));
    let daily = def(daily("2022-01-01"));
    let now = ts("2022-01-03T00:00:00Z");
    let err = err_text(map(
        &PartitionMapping::time_window(0, 0),
        Some(&daily),
        &["2022-01-01"],
        &hourly,
        now,
    ));
    assert!(err.contains("downstream partition `2022-01-01`"), "{err}");
    assert!(
        err.contains("`2022-01-01-00:00`, `2022-01-01-01:00`"),
        "{err}"
    );
    assert!(err.contains("its partitions at"), "{err}");
    let statics = PartitionsDefinition::static_keys(["a"]).unwrap();
    let err = err_text(map(
        &PartitionMapping::time_window(0, 0),
        Some(&statics),
        &["a"],
        &hourly,
        now,
    ));
    assert!(
        err.contains("both sides must be time-window partitioned"),
        "{err}"
    );
}

#[test]
fn default_mapping_for_different_static_definitions_is_an_error() {
    let ab = PartitionsDefinition::static_keys(["a", "b"]).unwrap();
    let xy = PartitionsDefinition::static_keys(["x", "y"]).unwrap();
    let err = err_text(default_mapping(&ab, Some(&xy)));
    assert!(
        err.starts_with(
            "no default partition mapping from upstream static partitions [a, b] to downstream static partitions [x, y]"
        ),
        "{err}"
    );
    assert!(err.contains("explicit partition mapping"), "{err}");
    let same = PartitionsDefinition::static_keys(["a", "b"]).unwrap();
    assert_eq!(
        default_mapping(&ab, Some(&same)).unwrap(),
        PartitionMapping::Identity
    );
    let err = err_text(default_mapping(&ab, Some(&def(daily("2022-01-01")))));
    assert!(
        err.contains("daily partitions from 2022-01-01 (UTC)"),
        "{err}"
    );
}

#[test]
fn multi_upstream_single_downstream_along_one_dimension() {
    let now = ts("2020-01-03T00:00:00Z");
    let multi: PartitionsDefinition = abc_date().into();
    let daily_def = def(daily("2020-01-01"));
    let mapping = default_mapping(&multi, Some(&daily_def)).unwrap();
    assert_eq!(mapping, PartitionMapping::multi_to_single_dimension("date"));
    assert_eq!(
        map(&mapping, Some(&daily_def), &["2020-01-02"], &multi, now).unwrap(),
        keys(&["a|2020-01-02", "b|2020-01-02", "c|2020-01-02"])
    );
    let abc = PartitionsDefinition::static_keys(["a", "b", "c"]).unwrap();
    let by_abc = PartitionMapping::MultiToSingleDimension { dimension: None };
    assert_eq!(
        map(&by_abc, Some(&abc), &["b"], &multi, now).unwrap(),
        keys(&["b|2020-01-01", "b|2020-01-02"])
    );
    let err = err_text(map(
        &PartitionMapping::multi_to_single_dimension("color"),
        Some(&abc),
        &["b"],
        &multi,
        now,
    ));
    assert!(
        err.contains("dimension `color` is not a dimension of multi partitions"),
        "{err}"
    );
    // A weekly downstream reads the time dimension through overlapping windows.
    let weekly = def(TimeWindowPartitionsDefinition::weekly("2019-12-29"));
    let now = ts("2020-01-06T00:00:00Z");
    let up = map(
        &default_mapping(&multi, Some(&weekly)).unwrap(),
        Some(&weekly),
        &["2019-12-29"],
        &multi,
        now,
    );
    let err = err_text(up);
    assert!(
        err.contains("along dimension `date`") && err.contains("`2019-12-29`"),
        "{err}"
    );
}

#[test]
fn single_upstream_multi_downstream_along_one_dimension() {
    let now = ts("2020-01-03T00:00:00Z");
    let multi: PartitionsDefinition = abc_date().into();
    let daily_def = def(daily("2020-01-01"));
    let mapping = default_mapping(&daily_def, Some(&multi)).unwrap();
    assert_eq!(mapping, PartitionMapping::multi_to_single_dimension("date"));
    assert_eq!(
        map(&mapping, Some(&multi), &["b|2020-01-02"], &daily_def, now).unwrap(),
        keys(&["2020-01-02"])
    );
    assert_eq!(
        map(
            &mapping,
            Some(&multi),
            &["c|2020-01-02", "a|2020-01-01", "b|2020-01-02"],
            &daily_def,
            now
        )
        .unwrap(),
        keys(&["2020-01-01", "2020-01-02"])
    );
    let abc = PartitionsDefinition::static_keys(["a", "b", "c"]).unwrap();
    let by_abc = PartitionMapping::multi_to_single_dimension("abc");
    assert_eq!(
        map(&by_abc, Some(&multi), &["c|2020-01-01"], &abc, now).unwrap(),
        keys(&["c"])
    );
}

#[test]
fn mapping_check_catches_misfits_without_the_clock() {
    let multi: PartitionsDefinition = abc_date().into();
    let other = PartitionsDefinition::static_keys(["q"]).unwrap();
    let err = err_text(
        PartitionMapping::MultiToSingleDimension { dimension: None }.check(&multi, Some(&other)),
    );
    assert!(err.contains("cannot tell which dimension"), "{err}");
    let err = err_text(PartitionMapping::time_window(0, 0).check(&other, Some(&other)));
    assert!(
        err.contains("both sides must be time-window partitioned"),
        "{err}"
    );
    assert!(PartitionMapping::All.check(&multi, None).is_ok());
}
