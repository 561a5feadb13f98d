//! Partition boundaries ("ticks") of a time-window cadence in a timezone.
//!
//! Dagster derives the boundaries from a cron schedule evaluated in the
//! definition's timezone; this file does the same for the four cadences
//! without a cron engine. A boundary is a local (civil) time such as "every
//! day at 00:00"; each civil boundary becomes zero, one or two instants:
//! - hourly boundaries keep both instants of a repeated (fold) hour and skip
//!   a hour that does not exist (gap), so hourly windows are always one real
//!   hour and keys stay unique and ordered across DST;
//! - coarser boundaries take jiff's "compatible" instant (the earlier one in
//!   a fold, the later one in a gap), so a daily window is 23 or 25 hours on
//!   DST days, exactly like cron.

use std::fmt;

use jiff::civil::{self, DateTime};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use super::error::PartitionError;
use crate::error::Result;

/// How often a time-window partition starts.
///
/// ```
/// use larder::partitions::Cadence;
///
/// assert_eq!(Cadence::Daily.to_string(), "daily");
/// assert_eq!(Cadence::Hourly.default_fmt(), "%Y-%m-%d-%H:%M");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cadence {
    /// One partition per hour.
    Hourly,
    /// One partition per day.
    Daily,
    /// One partition per week (starting Sunday unless `day_offset` says otherwise).
    Weekly,
    /// One partition per month (starting on the 1st unless `day_offset` says otherwise).
    Monthly,
}

impl Cadence {
    /// Dagster's default key format for this cadence.
    pub fn default_fmt(self) -> &'static str {
        match self {
            Cadence::Hourly => "%Y-%m-%d-%H:%M",
            Cadence::Daily | Cadence::Weekly | Cadence::Monthly => "%Y-%m-%d",
        }
    }
}

impl fmt::Display for Cadence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cadence::Hourly => "hourly",
            Cadence::Daily => "daily",
            Cadence::Weekly => "weekly",
            Cadence::Monthly => "monthly",
        })
    }
}

/// Which side of an instant a boundary is looked for on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// The first boundary at or after (`inclusive`) / strictly after.
    After,
    /// The last boundary at or before (`inclusive`) / strictly before.
    Before,
}

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;
const WEEK: i64 = 7 * DAY;

/// Periods scanned past the first hit: enough for months without the
/// boundary day (the 31st) and for whole days skipped by a timezone change.
const SCAN_PERIODS: i64 = 16;

/// A cadence with its offsets: the civil boundaries of the partitions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Schedule {
    pub(crate) cadence: Cadence,
    pub(crate) minute: i64,
    pub(crate) hour: i64,
    /// Weekly: 0 (Sunday) ..= 6; monthly: 1 ..= 31; otherwise 0.
    pub(crate) day: i64,
}

fn epoch() -> DateTime {
    civil::date(1970, 1, 1).at(0, 0, 0, 0)
}

fn out_of_range(what: impl fmt::Display, err: impl fmt::Display) -> crate::error::Error {
    PartitionError::OutOfRange(format!("{what} is out of the supported date range: {err}")).into()
}

impl Schedule {
    /// The civil boundary of period `n` (hours, days, weeks or months since
    /// the 1970 epoch), or `None` for a month without the boundary day.
    fn civil_boundary(&self, n: i64) -> Result<Option<DateTime>> {
        let secs = |n: i64, unit: i64, extra: i64| -> Result<Option<DateTime>> {
            let offset = n
                .checked_mul(unit)
                .and_then(|s| s.checked_add(extra))
                .ok_or_else(|| {
                    out_of_range(format!("{} partition #{n}", self.cadence), "overflow")
                })?;
            epoch()
                .checked_add(SignedDuration::from_secs(offset))
                .map(Some)
                .map_err(|e| out_of_range(format!("{} partition #{n}", self.cadence), e))
        };
        match self.cadence {
            Cadence::Hourly => secs(n, HOUR, self.minute * 60),
            Cadence::Daily => secs(n, DAY, self.hour * HOUR + self.minute * 60),
            // 1970-01-04 was a Sunday: week 0 starts there (+ day offset).
            Cadence::Weekly => secs(
                n,
                WEEK,
                (3 + self.day) * DAY + self.hour * HOUR + self.minute * 60,
            ),
            Cadence::Monthly => {
                let year = n.div_euclid(12);
                let month = n.rem_euclid(12) + 1;
                let (Ok(year), Ok(month)) = (i16::try_from(year), i8::try_from(month)) else {
                    return Err(out_of_range(
                        format!("monthly partition #{n}"),
                        "year overflow",
                    ));
                };
                let first = civil::Date::new(year, month, 1)
                    .map_err(|e| out_of_range(format!("monthly partition {year}-{month:02}"), e))?;
                if i64::from(first.days_in_month()) < self.day {
                    return Ok(None);
                }
                // The offsets were range-checked when the definition was built.
                let (Ok(day), Ok(hour), Ok(minute)) = (
                    i8::try_from(self.day),
                    i8::try_from(self.hour),
                    i8::try_from(self.minute),
                ) else {
                    return Err(out_of_range(
                        format!("monthly partition {year}-{month:02}"),
                        "bad offset",
                    ));
                };
                civil::DateTime::new(year, month, day, hour, minute, 0, 0)
                    .map(Some)
                    .map_err(|e| out_of_range(format!("monthly partition {year}-{month:02}"), e))
            }
        }
    }

    /// The period a civil time falls in, give or take one (callers scan
    /// around it).
    fn approx_period(&self, local: DateTime) -> i64 {
        let secs = local.duration_since(epoch()).as_secs();
        match self.cadence {
            Cadence::Hourly => secs.div_euclid(HOUR),
            Cadence::Daily => secs.div_euclid(DAY),
            Cadence::Weekly => (secs - 3 * DAY).div_euclid(WEEK),
            Cadence::Monthly => i64::from(local.year()) * 12 + i64::from(local.month()) - 1,
        }
    }

    /// The instants of period `n`'s boundary in `tz`, ascending.
    fn instants(&self, tz: &TimeZone, n: i64) -> Result<Vec<Timestamp>> {
        let Some(civil) = self.civil_boundary(n)? else {
            return Ok(Vec::new());
        };
        let ambiguous = tz.to_ambiguous_timestamp(civil);
        let conv =
            |r: std::result::Result<Timestamp, jiff::Error>| r.map_err(|e| out_of_range(civil, e));
        if self.cadence != Cadence::Hourly {
            return Ok(vec![conv(ambiguous.compatible())?]);
        }
        Ok(match ambiguous.offset() {
            AmbiguousOffset::Unambiguous { offset } => vec![conv(offset.to_timestamp(civil))?],
            AmbiguousOffset::Gap { .. } => Vec::new(),
            AmbiguousOffset::Fold { before, after } => {
                let mut both = vec![
                    conv(before.to_timestamp(civil))?,
                    conv(after.to_timestamp(civil))?,
                ];
                both.sort();
                both
            }
        })
    }

    /// The boundary nearest `t` on `side` (`inclusive`: `t` itself counts).
    pub(crate) fn boundary(
        &self,
        tz: &TimeZone,
        t: Timestamp,
        side: Side,
        inclusive: bool,
    ) -> Result<Timestamp> {
        let base = self.approx_period(tz.to_datetime(t));
        let accepts = |inst: Timestamp| match (side, inclusive) {
            (Side::After, true) => inst >= t,
            (Side::After, false) => inst > t,
            (Side::Before, true) => inst <= t,
            (Side::Before, false) => inst < t,
        };
        let mut best: Option<Timestamp> = None;
        let mut found_at = None;
        for step in 0..SCAN_PERIODS {
            let n = match side {
                Side::After => base.saturating_sub(2).saturating_add(step),
                Side::Before => base.saturating_add(2).saturating_sub(step),
            };
            // Near the ends of jiff's range a period may not exist; only
            // fail if no boundary is found at all.
            let Ok(instants) = self.instants(tz, n) else {
                continue;
            };
            for inst in instants.into_iter().filter(|i| accepts(*i)) {
                best = Some(match (best, side) {
                    (None, _) => inst,
                    (Some(b), Side::After) => b.min(inst),
                    (Some(b), Side::Before) => b.max(inst),
                });
                found_at.get_or_insert(step);
            }
            // Two more periods after a hit cover folds that interleave.
            if found_at.is_some_and(|f| step >= f + 2) {
                break;
            }
        }
        best.ok_or_else(|| {
            let side = match side {
                Side::After => "after",
                Side::Before => "before",
            };
            PartitionError::OutOfRange(format!(
                "no {} partition boundary found {side} {t} in {}",
                self.cadence,
                tz.iana_name().unwrap_or("the timezone")
            ))
            .into()
        })
    }

    /// Moves a boundary `count` boundaries forward (positive) or back.
    pub(crate) fn shift(
        &self,
        tz: &TimeZone,
        mut tick: Timestamp,
        count: i64,
    ) -> Result<Timestamp> {
        let side = if count >= 0 {
            Side::After
        } else {
            Side::Before
        };
        for _ in 0..count.unsigned_abs() {
            tick = self.boundary(tz, tick, side, false)?;
        }
        Ok(tick)
    }
}
