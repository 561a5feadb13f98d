//! Time-window partitions: hourly, daily, weekly and monthly partitions in an
//! IANA timezone, keyed by the formatted start of each window.

use std::fmt;

use jiff::civil::DateTime;
use jiff::fmt::strtime;
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp, Zoned};

use super::cadence::{Cadence, Schedule, Side};
use super::error::{PartitionError, invalid_def, reason_of};
use super::range::PartitionKeyRange;
use crate::error::Result;

/// Suffix Dagster appends to the key of the second occurrence of a repeated
/// hour (the hour after clocks fall back), so hourly keys stay unique.
///
/// ```
/// use larder::partitions::{POST_DST_TRANSITION_SUFFIX, TimeWindowPartitionsDefinition};
///
/// let hourly = TimeWindowPartitionsDefinition::hourly("2022-11-06-00:00")
///     .timezone("America/New_York")
///     .build()?;
/// let now: jiff::Timestamp = "2022-11-06T12:00:00Z".parse()?;
/// let keys = hourly.partition_keys(now)?;
/// assert_eq!(keys[1], "2022-11-06-01:00");
/// assert_eq!(keys[2], format!("2022-11-06-01:00{POST_DST_TRANSITION_SUFFIX}"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const POST_DST_TRANSITION_SUFFIX: &str = "_POST_DST_TRANSITION";

/// Refuse offsets that would make `end_offset` loops run for minutes.
const MAX_END_OFFSET: i64 = 100_000;

/// A half-open interval `[start, end)` in the definition's timezone.
///
/// ```
/// use larder::partitions::TimeWindowPartitionsDefinition;
///
/// let daily = TimeWindowPartitionsDefinition::daily("2022-01-01")
///     .timezone("America/New_York")
///     .build()?;
/// let window = daily.time_window_for_key("2022-03-13")?;
/// assert_eq!(window.duration(), jiff::SignedDuration::from_hours(23));
/// assert!(window.contains(window.start.timestamp()));
/// assert!(!window.contains(window.end.timestamp()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeWindow {
    /// The first instant of the window.
    pub start: Zoned,
    /// The first instant after the window.
    pub end: Zoned,
}

impl TimeWindow {
    /// The real elapsed time of the window (23 or 25 hours for a daily
    /// window on a DST transition day).
    pub fn duration(&self) -> SignedDuration {
        self.end.timestamp().duration_since(self.start.timestamp())
    }

    /// Whether `t` is inside the window (`start <= t < end`).
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start.timestamp() <= t && t < self.end.timestamp()
    }
}

/// Partitions that each cover one window of time (Dagster's
/// `TimeWindowPartitionsDefinition` and its `Hourly`/`Daily`/`Weekly`/
/// `Monthly` subclasses).
///
/// The first partition starts at the first boundary at or after `start`; a
/// partition exists once its window has ended (relative to the `now` every
/// query takes), `end_offset` partitions later than that, and never past
/// `end` (exclusive). Keys are the window starts formatted with `fmt`.
///
/// ```
/// use larder::partitions::TimeWindowPartitionsDefinition;
///
/// let daily = TimeWindowPartitionsDefinition::daily("2022-01-01").build()?;
/// let now: jiff::Timestamp = "2022-01-04T10:00:00Z".parse()?;
/// assert_eq!(daily.partition_keys(now)?, ["2022-01-01", "2022-01-02", "2022-01-03"]);
///
/// // end_offset = 1 also includes the partition in progress.
/// let daily = TimeWindowPartitionsDefinition::daily("2022-01-01").end_offset(1).build()?;
/// assert_eq!(daily.partition_keys(now)?.last().map(String::as_str), Some("2022-01-04"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct TimeWindowPartitionsDefinition {
    schedule: Schedule,
    start: Zoned,
    end: Option<Zoned>,
    timezone: String,
    tz: TimeZone,
    fmt: String,
    end_offset: i64,
    /// The first boundary at or after `start`.
    first_start: Timestamp,
}

impl PartialEq for TimeWindowPartitionsDefinition {
    // `tz` is derived from `timezone`; `first_start` from the rest.
    fn eq(&self, other: &Self) -> bool {
        self.schedule == other.schedule
            && self.start.timestamp() == other.start.timestamp()
            && self.end.as_ref().map(Zoned::timestamp) == other.end.as_ref().map(Zoned::timestamp)
            && self.timezone == other.timezone
            && self.fmt == other.fmt
            && self.end_offset == other.end_offset
    }
}

impl Eq for TimeWindowPartitionsDefinition {}

/// Builds a [`TimeWindowPartitionsDefinition`]; nothing is checked until
/// [`build`](Self::build), so the order of the builder calls does not matter.
///
/// ```
/// use larder::partitions::TimeWindowPartitionsDefinition;
///
/// let weekly = TimeWindowPartitionsDefinition::weekly("2022-01-01")
///     .day_offset(1) // weeks start on Monday
///     .hour_offset(6)
///     .timezone("Europe/Paris")
///     .build()?;
/// assert_eq!(weekly.first_partition_key("2022-02-01T00:00:00Z".parse()?)?.as_deref(), Some("2022-01-03"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
#[must_use = "call .build() to get the definition"]
pub struct TimeWindowPartitionsBuilder {
    cadence: Cadence,
    start: String,
    end: Option<String>,
    timezone: Option<String>,
    fmt: Option<String>,
    end_offset: i64,
    minute_offset: Option<u32>,
    hour_offset: Option<u32>,
    day_offset: Option<u32>,
}

impl TimeWindowPartitionsBuilder {
    /// The last partition boundary (exclusive): no partition ends after it.
    /// Parsed like the start.
    pub fn end(mut self, end: impl Into<String>) -> Self {
        self.end = Some(end.into());
        self
    }

    /// The IANA timezone the boundaries are in (default `"UTC"`).
    pub fn timezone(mut self, timezone: impl Into<String>) -> Self {
        self.timezone = Some(timezone.into());
        self
    }

    /// The key format (jiff's strftime); defaults to Dagster's for the cadence.
    pub fn fmt(mut self, fmt: impl Into<String>) -> Self {
        self.fmt = Some(fmt.into());
        self
    }

    /// Extends (positive) or shortens (negative) the partitions relative to
    /// `now`: with 1, the partition in progress exists too.
    pub fn end_offset(mut self, end_offset: i64) -> Self {
        self.end_offset = end_offset;
        self
    }

    /// Minutes past the hour at which partitions start (0..=59).
    pub fn minute_offset(mut self, minutes: u32) -> Self {
        self.minute_offset = Some(minutes);
        self
    }

    /// Hour of the day at which partitions start (0..=23; not for hourly).
    pub fn hour_offset(mut self, hours: u32) -> Self {
        self.hour_offset = Some(hours);
        self
    }

    /// Day partitions start on: weekly 0 (Sunday)..=6 (Saturday), monthly
    /// 1..=31 (a month without that day has no boundary, as in cron).
    pub fn day_offset(mut self, day: u32) -> Self {
        self.day_offset = Some(day);
        self
    }

    /// Checks everything and builds the definition.
    ///
    /// # Errors
    ///
    /// An unknown timezone, a start or end that does not parse, an end not
    /// after the start, an offset out of range or not applicable to the
    /// cadence, or a format whose keys do not parse back to their partition.
    pub fn build(self) -> Result<TimeWindowPartitionsDefinition> {
        let cadence = self.cadence;
        let timezone = self.timezone.unwrap_or_else(|| "UTC".to_owned());
        let tz = TimeZone::get(&timezone).map_err(|e| {
            invalid_def(format!(
                "unknown timezone `{timezone}` for {cadence} partitions: {e}"
            ))
        })?;
        let schedule = Schedule {
            cadence,
            minute: offset(cadence, "minute_offset", self.minute_offset, 0..=59, true)?,
            hour: offset(
                cadence,
                "hour_offset",
                self.hour_offset,
                0..=23,
                cadence != Cadence::Hourly,
            )?,
            day: match cadence {
                Cadence::Weekly => offset(cadence, "day_offset", self.day_offset, 0..=6, true)?,
                // Dagster's monthly default: the 1st.
                Cadence::Monthly => offset(
                    cadence,
                    "day_offset",
                    self.day_offset.or(Some(1)),
                    1..=31,
                    true,
                )?,
                Cadence::Hourly | Cadence::Daily => {
                    offset(cadence, "day_offset", self.day_offset, 0..=0, false)?
                }
            },
        };
        let fmt = self.fmt.unwrap_or_else(|| cadence.default_fmt().to_owned());
        if fmt.is_empty() {
            return Err(invalid_def(format!(
                "empty key format for {cadence} partitions"
            )));
        }
        if self.end_offset.unsigned_abs() > MAX_END_OFFSET as u64 {
            return Err(invalid_def(format!(
                "end_offset {} of {cadence} partitions is out of range (at most {MAX_END_OFFSET} either way)",
                self.end_offset
            )));
        }
        let start = parse_bound("start", &self.start, &fmt, &tz, &timezone, cadence)?;
        let end = match &self.end {
            Some(end) => Some(parse_bound("end", end, &fmt, &tz, &timezone, cadence)?),
            None => None,
        };
        if let Some(end) = &end
            && end.timestamp() <= start.timestamp()
        {
            return Err(invalid_def(format!(
                "start `{}` of {cadence} partitions is not before end `{}`",
                self.start,
                self.end.as_deref().unwrap_or_default()
            )));
        }
        let first_start = schedule.boundary(&tz, start.timestamp(), Side::After, true)?;
        let def = TimeWindowPartitionsDefinition {
            schedule,
            start,
            end,
            timezone,
            tz,
            fmt,
            end_offset: self.end_offset,
            first_start,
        };
        def.check_fmt_round_trips()?;
        Ok(def)
    }
}

/// Checks an offset against its range and whether the cadence has it.
fn offset(
    cadence: Cadence,
    name: &str,
    value: Option<u32>,
    range: std::ops::RangeInclusive<u32>,
    applies: bool,
) -> Result<i64> {
    match value {
        None => Ok(i64::from(*range.start())),
        Some(_) if !applies => Err(invalid_def(format!(
            "{name} does not apply to {cadence} partitions"
        ))),
        Some(v) if !range.contains(&v) => Err(invalid_def(format!(
            "{name} {v} of {cadence} partitions is out of range ({}..={})",
            range.start(),
            range.end()
        ))),
        Some(v) => Ok(i64::from(v)),
    }
}

/// Parses a key-formatted string to a civil time. Missing month/day default
/// to 1 (as Python's `strptime` does), so formats like `%Y-%m` work.
fn parse_civil(fmt: &str, input: &str) -> std::result::Result<DateTime, jiff::Error> {
    let mut tm = strtime::parse(fmt, input)?;
    if tm.month().is_none() && tm.day_of_year().is_none() {
        tm.set_month(Some(1))?;
    }
    if tm.day().is_none() && tm.day_of_year().is_none() {
        tm.set_day(Some(1))?;
    }
    tm.to_datetime()
}

/// Parses the start or end: with the key format first, then as an ISO 8601
/// date or datetime (so `hourly("2022-01-01")` works).
fn parse_bound(
    what: &str,
    input: &str,
    fmt: &str,
    tz: &TimeZone,
    tz_name: &str,
    cadence: Cadence,
) -> Result<Zoned> {
    let civil = match parse_civil(fmt, input) {
        Ok(civil) => civil,
        Err(fmt_err) => input.parse::<DateTime>().map_err(|_| {
            invalid_def(format!(
                "{what} `{input}` of {cadence} partitions does not match the format `{fmt}` \
                 (nor an ISO 8601 date or datetime): {fmt_err}"
            ))
        })?,
    };
    tz.to_ambiguous_zoned(civil).compatible().map_err(|e| {
        invalid_def(format!(
            "{what} `{input}` of {cadence} partitions does not exist in `{tz_name}`: {e}"
        ))
    })
}

impl TimeWindowPartitionsDefinition {
    /// Hourly partitions from `start` (keys `%Y-%m-%d-%H:%M`).
    pub fn hourly(start: impl Into<String>) -> TimeWindowPartitionsBuilder {
        Self::builder(Cadence::Hourly, start)
    }

    /// Daily partitions from `start` (keys `%Y-%m-%d`).
    pub fn daily(start: impl Into<String>) -> TimeWindowPartitionsBuilder {
        Self::builder(Cadence::Daily, start)
    }

    /// Weekly partitions from `start`, starting Sundays (keys `%Y-%m-%d`).
    pub fn weekly(start: impl Into<String>) -> TimeWindowPartitionsBuilder {
        Self::builder(Cadence::Weekly, start)
    }

    /// Monthly partitions from `start`, starting on the 1st (keys `%Y-%m-%d`).
    pub fn monthly(start: impl Into<String>) -> TimeWindowPartitionsBuilder {
        Self::builder(Cadence::Monthly, start)
    }

    /// Partitions of any cadence from `start`.
    pub fn builder(cadence: Cadence, start: impl Into<String>) -> TimeWindowPartitionsBuilder {
        TimeWindowPartitionsBuilder {
            cadence,
            start: start.into(),
            end: None,
            timezone: None,
            fmt: None,
            end_offset: 0,
            minute_offset: None,
            hour_offset: None,
            day_offset: None,
        }
    }

    /// The cadence.
    pub fn cadence(&self) -> Cadence {
        self.schedule.cadence
    }

    /// The start as given (the first partition starts at the first boundary
    /// at or after it).
    pub fn start(&self) -> &Zoned {
        &self.start
    }

    /// The end (exclusive), if any.
    pub fn end(&self) -> Option<&Zoned> {
        self.end.as_ref()
    }

    /// The IANA timezone name.
    pub fn timezone(&self) -> &str {
        &self.timezone
    }

    /// The key format.
    pub fn fmt(&self) -> &str {
        &self.fmt
    }

    /// The end offset.
    pub fn end_offset(&self) -> i64 {
        self.end_offset
    }

    /// Minutes past the hour partitions start at.
    pub fn minute_offset(&self) -> u32 {
        self.schedule.minute as u32
    }

    /// Hour of the day partitions start at (0 for hourly).
    pub fn hour_offset(&self) -> u32 {
        self.schedule.hour as u32
    }

    /// Day partitions start on (weekly: 0 = Sunday; monthly: day of month;
    /// 0 for hourly and daily).
    pub fn day_offset(&self) -> u32 {
        self.schedule.day as u32
    }

    /// All partition keys at `now`, oldest first.
    ///
    /// # Errors
    ///
    /// Only when a date leaves jiff's range (years beyond ±9999).
    pub fn partition_keys(&self, now: Timestamp) -> Result<Vec<String>> {
        self.starts_in_bounds(now)?
            .into_iter()
            .map(|s| self.format_key(s))
            .collect()
    }

    /// All partition windows at `now`, oldest first.
    ///
    /// # Errors
    ///
    /// As [`partition_keys`](Self::partition_keys).
    pub fn time_windows(&self, now: Timestamp) -> Result<Vec<TimeWindow>> {
        let starts = self.starts_in_bounds(now)?;
        let mut windows = Vec::with_capacity(starts.len());
        for start in starts {
            let end = self.next_boundary(start)?;
            windows.push(self.window(start, end));
        }
        Ok(windows)
    }

    /// The first partition key at `now` (`None` while no partition has ended).
    ///
    /// # Errors
    ///
    /// As [`partition_keys`](Self::partition_keys).
    pub fn first_partition_key(&self, now: Timestamp) -> Result<Option<String>> {
        match self.bounds(now)? {
            Some((first, _)) => self.format_key(first).map(Some),
            None => Ok(None),
        }
    }

    /// The last partition key at `now`.
    ///
    /// # Errors
    ///
    /// As [`partition_keys`](Self::partition_keys).
    pub fn last_partition_key(&self, now: Timestamp) -> Result<Option<String>> {
        match self.bounds(now)? {
            Some((_, last_end)) => {
                let last_start = self
                    .schedule
                    .boundary(&self.tz, last_end, Side::Before, false)?;
                self.format_key(last_start).map(Some)
            }
            None => Ok(None),
        }
    }

    /// Whether `key` is a partition at `now`.
    pub fn has_partition_key(&self, key: &str, now: Timestamp) -> bool {
        self.validate_key(key, now).is_ok()
    }

    /// `Ok` if `key` is a partition at `now`, otherwise an error saying why
    /// (does not match the format, not a window start, before the first or
    /// after the last partition).
    ///
    /// # Errors
    ///
    /// [`PartitionError::UnknownKey`].
    pub fn validate_key(&self, key: &str, now: Timestamp) -> Result<()> {
        let start = self.start_for_key(key)?;
        self.check_in_bounds(key, start, now)
    }

    /// The position of `key` among [`partition_keys`](Self::partition_keys).
    ///
    /// # Errors
    ///
    /// As [`validate_key`](Self::validate_key).
    pub fn key_index(&self, key: &str, now: Timestamp) -> Result<usize> {
        let start = self.start_for_key(key)?;
        self.check_in_bounds(key, start, now)?;
        Ok(self.starts_between(self.first_start, start)?.len())
    }

    /// The keys from `range.start` to `range.end`, both included, in order.
    ///
    /// # Errors
    ///
    /// [`PartitionError::InvalidRange`] naming the start or end key that is
    /// not a partition, or saying the start is after the end.
    pub fn keys_in_range(&self, range: &PartitionKeyRange, now: Timestamp) -> Result<Vec<String>> {
        let bad = |reason: String| -> crate::error::Error {
            PartitionError::InvalidRange {
                start: range.start.clone(),
                end: range.end.clone(),
                definition: self.to_string(),
                reason,
            }
            .into()
        };
        let start = self
            .start_for_key(&range.start)
            .and_then(|s| self.check_in_bounds(&range.start, s, now).map(|()| s))
            .map_err(|e| bad(format!("start `{}`: {}", range.start, reason_of(&e))))?;
        let end = self
            .start_for_key(&range.end)
            .and_then(|s| self.check_in_bounds(&range.end, s, now).map(|()| s))
            .map_err(|e| bad(format!("end `{}`: {}", range.end, reason_of(&e))))?;
        if start > end {
            return Err(bad("the start is after the end".to_owned()));
        }
        let end_exclusive = self.next_boundary(end)?;
        self.starts_between(start, end_exclusive)?
            .into_iter()
            .map(|s| self.format_key(s))
            .collect()
    }

    /// The window of `key`. Does not check `key` against the definition's
    /// bounds (no `now` needed), only that it is a window start.
    ///
    /// # Errors
    ///
    /// [`PartitionError::UnknownKey`] if `key` does not parse with the
    /// format or is not the start of a window.
    pub fn time_window_for_key(&self, key: &str) -> Result<TimeWindow> {
        let start = self.start_for_key(key)?;
        let end = self.next_boundary(start)?;
        Ok(self.window(start, end))
    }

    /// The key of the partition whose window contains `t` (whether or not
    /// that partition exists yet).
    ///
    /// # Errors
    ///
    /// Only when a date leaves jiff's range.
    pub fn key_for_timestamp(&self, t: Timestamp) -> Result<String> {
        let start = self.schedule.boundary(&self.tz, t, Side::Before, true)?;
        self.format_key(start)
    }

    // ---- crate-internal helpers (used by mappings and multi partitions) ----

    pub(crate) fn schedule(&self) -> &Schedule {
        &self.schedule
    }

    pub(crate) fn tz(&self) -> &TimeZone {
        &self.tz
    }

    pub(crate) fn window(&self, start: Timestamp, end: Timestamp) -> TimeWindow {
        TimeWindow {
            start: start.to_zoned(self.tz.clone()),
            end: end.to_zoned(self.tz.clone()),
        }
    }

    pub(crate) fn next_boundary(&self, t: Timestamp) -> Result<Timestamp> {
        self.schedule.boundary(&self.tz, t, Side::After, false)
    }

    /// The first start and the last end of the existing partitions at `now`.
    pub(crate) fn bounds(&self, now: Timestamp) -> Result<Option<(Timestamp, Timestamp)>> {
        let first_end = self.next_boundary(self.first_start)?;
        let mut last_end = self.schedule.boundary(&self.tz, now, Side::Before, true)?;
        if self.end_offset > 0 {
            last_end = self.schedule.shift(&self.tz, last_end, self.end_offset)?;
        }
        if let Some(end) = &self.end {
            let cap = self
                .schedule
                .boundary(&self.tz, end.timestamp(), Side::Before, true)?;
            last_end = last_end.min(cap);
        }
        if self.end_offset < 0 {
            // Dropping past the first partition leaves none: stop early.
            for _ in 0..self.end_offset.unsigned_abs() {
                if last_end < first_end {
                    break;
                }
                last_end = self
                    .schedule
                    .boundary(&self.tz, last_end, Side::Before, false)?;
            }
        }
        Ok((last_end >= first_end).then_some((self.first_start, last_end)))
    }

    /// Window starts in `[from, to)`.
    pub(crate) fn starts_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Timestamp>> {
        let mut starts = Vec::new();
        let mut cur = from;
        while cur < to {
            starts.push(cur);
            cur = self.next_boundary(cur)?;
        }
        Ok(starts)
    }

    fn starts_in_bounds(&self, now: Timestamp) -> Result<Vec<Timestamp>> {
        match self.bounds(now)? {
            Some((first, last_end)) => self.starts_between(first, last_end),
            None => Ok(Vec::new()),
        }
    }

    fn check_in_bounds(&self, key: &str, start: Timestamp, now: Timestamp) -> Result<()> {
        let unknown = |reason: String| -> crate::error::Error {
            PartitionError::UnknownKey {
                key: key.to_owned(),
                definition: self.to_string(),
                reason,
            }
            .into()
        };
        match self.bounds(now)? {
            None => Err(unknown(format!("there are no partitions yet at {now}"))),
            Some((first, _)) if start < first => Err(unknown(format!(
                "it is before the first partition `{}`",
                self.format_key(first)?
            ))),
            Some((_, last_end)) if start >= last_end => {
                let last = self
                    .schedule
                    .boundary(&self.tz, last_end, Side::Before, false)?;
                let mut why = format!(
                    "it is after the last partition `{}` (at {now}, a partition exists once its window has ended",
                    self.format_key(last)?
                );
                if self.end_offset != 0 {
                    why.push_str(&format!(", moved by end_offset {}", self.end_offset));
                }
                if let Some(end) = &self.end {
                    why.push_str(&format!(", and none ends after {}", end.timestamp()));
                }
                why.push(')');
                Err(unknown(why))
            }
            Some(_) => Ok(()),
        }
    }

    /// The key of the window starting at `start`.
    pub(crate) fn format_key(&self, start: Timestamp) -> Result<String> {
        let zoned = start.to_zoned(self.tz.clone());
        let mut key = strtime::format(&self.fmt, &zoned).map_err(|e| {
            crate::error::Error::from(PartitionError::InvalidDefinition(format!(
                "format `{}` of {} partitions cannot format {zoned}: {e}",
                self.fmt,
                self.cadence()
            )))
        })?;
        if self.cadence() == Cadence::Hourly && is_second_occurrence(&self.tz, &zoned) {
            key.push_str(POST_DST_TRANSITION_SUFFIX);
        }
        Ok(key)
    }

    /// The start of the window `key` names, checking that `key` is exactly
    /// that window's key (so `2022-01-01-00:30` is not an hourly key).
    pub(crate) fn start_for_key(&self, key: &str) -> Result<Timestamp> {
        let unknown = |reason: String| -> crate::error::Error {
            PartitionError::UnknownKey {
                key: key.to_owned(),
                definition: self.to_string(),
                reason,
            }
            .into()
        };
        let (text, later) = match key.strip_suffix(POST_DST_TRANSITION_SUFFIX) {
            Some(text) if self.cadence() == Cadence::Hourly => (text, true),
            _ => (key, false),
        };
        let civil = parse_civil(&self.fmt, text)
            .map_err(|e| unknown(format!("it does not match the format `{}`: {e}", self.fmt)))?;
        let ambiguous = self.tz.to_ambiguous_timestamp(civil);
        let instant = if later {
            ambiguous.later()
        } else {
            ambiguous.compatible()
        }
        .map_err(|e| {
            unknown(format!(
                "{civil} does not exist in `{}`: {e}",
                self.timezone
            ))
        })?;
        let start = self
            .schedule
            .boundary(&self.tz, instant, Side::After, true)?;
        let expected = self.format_key(start)?;
        if expected != key {
            return Err(unknown(format!(
                "it is not the start of a partition (the next {} partition starts at `{expected}`)",
                self.cadence()
            )));
        }
        Ok(start)
    }

    /// A format must give distinct keys that parse back to their windows.
    fn check_fmt_round_trips(&self) -> Result<()> {
        let first = self.first_start;
        let second = self.next_boundary(first)?;
        let (k1, k2) = (self.format_key(first)?, self.format_key(second)?);
        if k1 == k2 {
            return Err(invalid_def(format!(
                "format `{}` gives the same key `{k1}` to consecutive {} partitions; it needs finer fields",
                self.fmt,
                self.cadence()
            )));
        }
        for (key, start) in [(&k1, first), (&k2, second)] {
            match self.start_for_key(key) {
                Ok(parsed) if parsed == start => {}
                Ok(_) | Err(_) => {
                    return Err(invalid_def(format!(
                        "format `{}` of {} partitions does not parse back: key `{key}` does not name the window \
                         starting at {}",
                        self.fmt,
                        self.cadence(),
                        start.to_zoned(self.tz.clone())
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Whether `zoned` is the second occurrence of a repeated local time.
fn is_second_occurrence(tz: &TimeZone, zoned: &Zoned) -> bool {
    match tz.to_ambiguous_timestamp(zoned.datetime()).offset() {
        AmbiguousOffset::Fold { before, after } => before != after && zoned.offset() == after,
        AmbiguousOffset::Unambiguous { .. } | AmbiguousOffset::Gap { .. } => false,
    }
}

impl fmt::Display for TimeWindowPartitionsDefinition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show =
            |z: &Zoned| strtime::format(&self.fmt, z).unwrap_or_else(|_| z.datetime().to_string());
        write!(
            f,
            "{} partitions from {}",
            self.cadence(),
            show(&self.start)
        )?;
        if let Some(end) = &self.end {
            write!(f, " until {}", show(end))?;
        }
        write!(f, " ({}", self.timezone)?;
        let s = &self.schedule;
        if s.minute != 0 {
            write!(f, ", minute offset {}", s.minute)?;
        }
        if s.hour != 0 {
            write!(f, ", hour offset {}", s.hour)?;
        }
        if (s.cadence == Cadence::Weekly && s.day != 0)
            || (s.cadence == Cadence::Monthly && s.day != 1)
        {
            write!(f, ", day offset {}", s.day)?;
        }
        if self.fmt != self.cadence().default_fmt() {
            write!(f, ", format `{}`", self.fmt)?;
        }
        if self.end_offset != 0 {
            write!(f, ", end offset {}", self.end_offset)?;
        }
        f.write_str(")")
    }
}
