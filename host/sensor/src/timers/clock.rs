//! When a schedule fires next, and waiting for that moment on the wall clock.
//!
//! Timers are set in wall-clock time (a cron expression names hours of a time zone, a
//! one-shot an instant), while tokio sleeps on the monotonic clock. The two drift apart
//! when the system clock is adjusted or the machine is suspended, so a wait is cut into
//! naps of at most a minute and the wall clock is read again after each. Firings missed
//! while the service was held up are not made up for: the next firing is the first one
//! still to come.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;

use super::settings::Schedule;

/// Longest single sleep before the wall clock is consulted again.
const LONGEST_NAP: Duration = Duration::from_secs(60);

impl Schedule {
    /// The first firing strictly after `after`, for a timer started at `started`; `None`
    /// when there is none (a one-shot whose instant is not after `after`).
    pub fn next_after(&self, after: DateTime<Utc>, started: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Schedule::Every(period) => {
                // Aligned on the start: a late firing does not shift the ones after it.
                let period = chrono::Duration::from_std(*period).ok()?;
                let elapsed = (after - started).max(chrono::Duration::zero());
                let periods = elapsed.num_milliseconds() / period.num_milliseconds().max(1) + 1;
                let offset = period.checked_mul(i32::try_from(periods).ok()?)?;
                started.checked_add_signed(offset)
            }
            Schedule::Cron { cron, timezone } => cron
                .find_next_occurrence(&after.with_timezone(timezone), false)
                .ok()
                .map(|next| next.with_timezone(&Utc)),
            Schedule::Once(at) => (*at > after).then_some(*at),
        }
    }
}

/// Waits until the wall clock reads `at`; false if `cancel` fired first.
pub async fn sleep_until(at: DateTime<Utc>, cancel: &CancellationToken) -> bool {
    loop {
        let Ok(left) = (at - Utc::now()).to_std() else { return true };
        if left.is_zero() {
            return true;
        }
        tokio::select! {
            () = cancel.cancelled() => return false,
            () = tokio::time::sleep(left.min(LONGEST_NAP)) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;
    use crate::timers::settings::{CRON_TIMER, TimerSettings};

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2030, 6, 1, h, m, s).unwrap()
    }

    #[test]
    fn intervals_stay_aligned_on_the_start() {
        let every = Schedule::Every(Duration::from_secs(10));
        let start = at(12, 0, 0);
        assert_eq!(every.next_after(start, start), Some(at(12, 0, 10)));
        assert_eq!(every.next_after(at(12, 0, 10), start), Some(at(12, 0, 20)));
        // Held up for 35 s: the missed firings are skipped, the grid is kept.
        assert_eq!(every.next_after(at(12, 0, 45), start), Some(at(12, 0, 50)));
    }

    #[test]
    fn cron_fields_are_read_in_the_time_zone() {
        let settings = json!({"expression": "30 0 9 * * *", "timezone": "Europe/Paris"});
        let cron = TimerSettings::new(CRON_TIMER, &settings).schedule().unwrap();
        // 09:00:30 in Paris is 07:00:30 UTC in June (summer time).
        assert_eq!(cron.next_after(at(6, 0, 0), at(6, 0, 0)), Some(at(7, 0, 30)));
        assert_eq!(cron.next_after(at(7, 0, 30), at(6, 0, 0)), Some(at(7, 0, 30) + chrono::Duration::days(1)));
    }

    #[test]
    fn a_one_shot_fires_only_if_still_to_come() {
        let once = Schedule::Once(at(12, 0, 0));
        assert_eq!(once.next_after(at(11, 0, 0), at(11, 0, 0)), Some(at(12, 0, 0)));
        assert_eq!(once.next_after(at(12, 0, 0), at(11, 0, 0)), None);
    }
}
