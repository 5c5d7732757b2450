//! Exponential back-off with a cap and jitter, for reconnecting and re-publishing.

use std::time::Duration;

use rand::Rng;

/// Pauses that double from `min` up to `max`. Each pause is drawn from the upper half of the
/// current step, so that many workers that lost the broker at the same moment do not all
/// knock again at the same moment.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    step: Duration,
}

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        // A zero minimum would spin; a maximum below the minimum would never grow.
        let min = min.max(Duration::from_millis(1));
        let max = max.max(min);
        Self { min, max, step: min }
    }

    /// The pause before the next attempt.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let step = self.step;
        self.step = (step * 2).min(self.max);
        let half = step / 2;
        half + rand::thread_rng().gen_range(Duration::ZERO..=step - half)
    }

    /// Back to the shortest pause, after a success.
    pub(crate) fn reset(&mut self) {
        self.step = self.min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_millis(350));
        let steps = [100, 200, 350, 350];
        for step in steps {
            let delay = backoff.next_delay();
            let step = Duration::from_millis(step);
            assert!(delay >= step / 2 && delay <= step, "{delay:?} outside the upper half of {step:?}");
        }
        backoff.reset();
        assert!(backoff.next_delay() <= Duration::from_millis(100));
    }

    #[test]
    fn degenerate_bounds_still_make_progress() {
        let mut backoff = Backoff::new(Duration::ZERO, Duration::ZERO);
        assert!(backoff.next_delay() <= Duration::from_millis(1));
        assert_eq!(backoff.max, Duration::from_millis(1));
    }
}
