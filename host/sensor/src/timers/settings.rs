//! Timer settings: the parameters of the `core` timer triggers, checked and turned into a
//! [`Schedule`].
//!
//! Settings come from a rule's `trigger_parameters` or a built-in sensor's `config`.
//! Defaults are applied first (`unit: seconds`, `timezone: UTC`), so that a rule that
//! leaves a default out and one that spells it share a timer, and the event's
//! `config.trigger_parameters` holds every key either may name. A key the trigger does
//! not take is an error, not silently ignored: a typo would otherwise run a different
//! timer than the one meant.

use std::time::Duration;

use attune_domain::Json;
use chrono::{DateTime, Utc};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use serde_json::{Map, Value};

/// Fires every `interval` `unit`s.
pub const INTERVAL_TIMER: &str = "core.intervaltimer";
/// Fires on a six-field cron expression in a time zone.
pub const CRON_TIMER: &str = "core.crontimer";
/// Fires once at an instant.
pub const DATETIME_TIMER: &str = "core.datetimetimer";

/// The built-in timer triggers.
pub const TIMER_TRIGGERS: [&str; 3] = [INTERVAL_TIMER, CRON_TIMER, DATETIME_TIMER];

/// Whether `trigger_ref` is a built-in timer.
pub fn is_timer(trigger_ref: &str) -> bool {
    TIMER_TRIGGERS.contains(&trigger_ref)
}

/// When a timer fires.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// Every period, counted from when the timer started.
    Every(Duration),
    /// At each occurrence of a cron expression, evaluated in a time zone.
    Cron {
        /// The expression (seconds field required).
        cron: Box<Cron>,
        /// Where its fields are read.
        timezone: chrono_tz::Tz,
    },
    /// Once, if this instant is still to come when the timer starts.
    Once(DateTime<Utc>),
}

/// A timer's settings with defaults applied: what identifies a timer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimerKey {
    /// The timer trigger.
    pub trigger_ref: String,
    /// The settings as canonical JSON (keys sorted), so that equal settings compare equal.
    canonical: String,
}

/// A timer trigger and its settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TimerSettings {
    /// The timer trigger.
    pub trigger_ref: String,
    /// Its settings, defaults applied.
    pub settings: Json,
}

impl TimerSettings {
    /// `raw` (a rule's `trigger_parameters`, a sensor's `config`) for `trigger_ref`, with
    /// the trigger's defaults filled in.
    pub fn new(trigger_ref: &str, raw: &Json) -> Self {
        let defaults: &[(&str, &str)] = match trigger_ref {
            INTERVAL_TIMER => &[("unit", "seconds")],
            CRON_TIMER => &[("timezone", "UTC")],
            _ => &[],
        };
        let mut settings = raw.clone();
        if let Some(map) = settings.as_object_mut() {
            for (key, value) in defaults {
                if map.get(*key).is_none_or(Value::is_null) {
                    map.insert((*key).to_owned(), Value::from(*value));
                }
            }
        }
        Self { trigger_ref: trigger_ref.to_owned(), settings }
    }

    /// What identifies this timer.
    pub fn key(&self) -> TimerKey {
        TimerKey { trigger_ref: self.trigger_ref.clone(), canonical: canonical(&self.settings) }
    }

    /// The schedule, or what is wrong with the settings.
    pub fn schedule(&self) -> Result<Schedule, String> {
        let map = self.settings.as_object().ok_or("the settings must be a mapping")?;
        match self.trigger_ref.as_str() {
            INTERVAL_TIMER => interval(map),
            CRON_TIMER => cron(map),
            DATETIME_TIMER => datetime(map),
            other => Err(format!("'{other}' is not a timer trigger")),
        }
    }
}

fn interval(map: &Map<String, Value>) -> Result<Schedule, String> {
    only(map, &["unit", "interval"])?;
    let unit = match map.get("unit").and_then(Value::as_str) {
        Some("seconds") => 1,
        Some("minutes") => 60,
        Some("hours") => 3600,
        _ => return Err(format!("unit must be seconds, minutes or hours, not {}", map["unit"])),
    };
    let count = map
        .get("interval")
        .and_then(Value::as_u64)
        .filter(|n| *n >= 1)
        .ok_or("interval must be a whole number of at least 1")?;
    let seconds = count.checked_mul(unit).ok_or("interval is too large")?;
    Ok(Schedule::Every(Duration::from_secs(seconds)))
}

fn cron(map: &Map<String, Value>) -> Result<Schedule, String> {
    only(map, &["expression", "timezone"])?;
    let expression = map.get("expression").and_then(Value::as_str).ok_or("expression is required (a string)")?;
    let parser = CronParser::builder().seconds(Seconds::Required).year(Year::Disallowed).build();
    let cron = parser.parse(expression).map_err(|e| {
        format!(
            "expression '{expression}' is not a cron expression with a seconds field (sec min hour dom month dow): {e}"
        )
    })?;
    let timezone = map.get("timezone").and_then(Value::as_str).ok_or("timezone must be a string")?;
    let timezone = timezone
        .parse::<chrono_tz::Tz>()
        .map_err(|_| format!("timezone '{timezone}' is not an IANA time zone name"))?;
    Ok(Schedule::Cron { cron: Box::new(cron), timezone })
}

fn datetime(map: &Map<String, Value>) -> Result<Schedule, String> {
    only(map, &["fire_at"])?;
    let fire_at = map.get("fire_at").and_then(Value::as_str).ok_or("fire_at is required (an RFC 3339 date-time)")?;
    let at = DateTime::parse_from_rfc3339(fire_at)
        .map_err(|e| format!("fire_at '{fire_at}' is not an RFC 3339 date-time: {e}"))?;
    Ok(Schedule::Once(at.with_timezone(&Utc)))
}

/// Fails on the first key not in `known`.
fn only(map: &Map<String, Value>, known: &[&str]) -> Result<(), String> {
    match map.keys().find(|key| !known.contains(&key.as_str())) {
        Some(unknown) => Err(format!("unknown setting '{unknown}' (the timer takes {})", known.join(", "))),
        None => Ok(()),
    }
}

/// `value` as JSON text with every object's keys sorted, whatever order the map keeps.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by_key(|(key, _)| *key);
            let fields: Vec<String> = entries
                .into_iter()
                .map(|(key, value)| format!("{}:{}", Value::from(key.as_str()), canonical(value)))
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        scalar => scalar.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn defaults_make_equal_settings_one_timer() {
        let short = TimerSettings::new(INTERVAL_TIMER, &json!({"interval": 5}));
        let spelled = TimerSettings::new(INTERVAL_TIMER, &json!({"unit": "seconds", "interval": 5}));
        let other = TimerSettings::new(INTERVAL_TIMER, &json!({"unit": "minutes", "interval": 5}));
        assert_eq!(short.key(), spelled.key());
        assert_ne!(short.key(), other.key());
        assert_eq!(short.settings, json!({"unit": "seconds", "interval": 5}));
        let cron = TimerSettings::new(CRON_TIMER, &json!({"expression": "* * * * * *"}));
        assert_eq!(cron.settings["timezone"], "UTC");
    }

    #[test]
    fn settings_become_schedules() {
        let every = TimerSettings::new(INTERVAL_TIMER, &json!({"unit": "minutes", "interval": 2})).schedule();
        assert!(matches!(every, Ok(Schedule::Every(d)) if d == Duration::from_secs(120)));
        let cron = TimerSettings::new(CRON_TIMER, &json!({"expression": "*/2 * * * * *", "timezone": "Europe/Paris"}));
        assert!(matches!(cron.schedule(), Ok(Schedule::Cron { timezone: chrono_tz::Tz::Europe__Paris, .. })));
        let once = TimerSettings::new(DATETIME_TIMER, &json!({"fire_at": "2030-01-02T03:04:05+01:00"})).schedule();
        assert!(matches!(once, Ok(Schedule::Once(at)) if at.to_rfc3339() == "2030-01-02T02:04:05+00:00"));
    }

    #[test]
    fn bad_settings_say_what_is_wrong() {
        let problem = |trigger: &str, settings: Json| TimerSettings::new(trigger, &settings).schedule().unwrap_err();
        assert!(problem(INTERVAL_TIMER, json!({"interval": 0})).contains("at least 1"));
        assert!(problem(INTERVAL_TIMER, json!({"interval": 1, "unit": "days"})).contains("unit must be"));
        assert!(problem(INTERVAL_TIMER, json!({"interval": 1, "every": 2})).contains("unknown setting 'every'"));
        // Five fields: the seconds field is required.
        assert!(problem(CRON_TIMER, json!({"expression": "*/5 * * * *"})).contains("seconds field"));
        assert!(problem(CRON_TIMER, json!({"expression": "* * * * * *", "timezone": "Mars/Olympus"})).contains("IANA"));
        assert!(problem(DATETIME_TIMER, json!({"fire_at": "tomorrow"})).contains("RFC 3339"));
        assert!(problem(DATETIME_TIMER, json!([])).contains("mapping"));
    }
}
