//! The built-in timers: configured by rules' `trigger_parameters` and by built-in sensors,
//! firing on schedule, shared between identical settings, and refused with a reason when
//! their settings are wrong.

use std::time::Duration;

use attune_domain::status::SensorStatus;
use attune_sensor::Notice;
use attune_test_support::{Backend, backend_tests};
use chrono::{SecondsFormat, Utc};
use serde_json::json;

use crate::support::{Harness, executed_at, of_trigger};

backend_tests!(
    an_interval_rule_fires_at_its_interval_and_identical_rules_share_the_timer,
    a_cron_rule_with_a_seconds_field_fires_every_second,
    a_datetime_sensor_fires_once_then_shows_stopped,
    bad_timer_settings_are_refused_with_a_reason,
);

async fn an_interval_rule_fires_at_its_interval_and_identical_rules_share_the_timer(backend: Backend) {
    let harness = Harness::start(backend).await;
    harness.timer_rule("every_second", "core.intervaltimer", json!({"interval": 1})).await;
    // The same timer once the default unit is applied: one event per firing, not two.
    harness.timer_rule("every_second_too", "core.intervaltimer", json!({"interval": 1, "unit": "seconds"})).await;

    let events = harness.wait_for_events(&of_trigger("core.intervaltimer"), 3).await;
    let settings = json!({"interval": 1, "unit": "seconds"});
    for event in &events {
        assert_eq!(event.config, json!({"trigger_parameters": settings}));
        assert_eq!(event.payload["schedule"], settings);
        assert_eq!(event.source_ref, None, "no sensor configures this timer");
    }
    for pair in events.windows(2) {
        let gap = executed_at(&pair[1]) - executed_at(&pair[0]);
        assert!(gap >= chrono::Duration::milliseconds(900), "firings {gap} apart: {events:#?}");
    }
    harness.stop().await;
}

async fn a_cron_rule_with_a_seconds_field_fires_every_second(backend: Backend) {
    let harness = Harness::start(backend).await;
    harness
        .timer_rule("each_second", "core.crontimer", json!({"expression": "* * * * * *", "timezone": "Asia/Tokyo"}))
        .await;

    let events = harness.wait_for_events(&of_trigger("core.crontimer"), 2).await;
    assert_eq!(events[0].config["trigger_parameters"], json!({"expression": "* * * * * *", "timezone": "Asia/Tokyo"}));
    let (first, second) = (executed_at(&events[0]), executed_at(&events[1]));
    assert!(second - first >= chrono::Duration::milliseconds(900), "{first} then {second}");
    harness.stop().await;
}

async fn a_datetime_sensor_fires_once_then_shows_stopped(backend: Backend) {
    let harness = Harness::start(backend).await;
    let fire_at = (Utc::now() + Duration::from_secs(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let sensor = format!(
        "ref: timed.alarm\nrunner_type: builtin\ntrigger_types: [core.datetimetimer]\n\
         parameters:\n  fire_at: {{type: string}}\nconfig:\n  fire_at: \"{fire_at}\"\n"
    );
    harness.register_pack("timed", &[("sensors/alarm.yaml", &sensor)]).await;

    let done = harness
        .wait_for_sensor("timed.alarm", |s| s.status == SensorStatus::Stopped && s.status_detail.is_some())
        .await;
    assert!(done.status_detail.as_deref().unwrap().starts_with("fired once, at "), "{:?}", done.status_detail);
    // The timer's task has ended: the one event is all there will be.
    let events = harness.events(&of_trigger("core.datetimetimer")).await;
    assert_eq!(events.len(), 1, "{events:#?}");
    assert_eq!(events[0].source_ref.as_deref(), Some("timed.alarm"));
    assert_eq!(events[0].config, json!({"trigger_parameters": {"fire_at": fire_at}}));
    assert!(executed_at(&events[0]) >= chrono::DateTime::parse_from_rfc3339(&fire_at).unwrap());
    harness.stop().await;
}

async fn bad_timer_settings_are_refused_with_a_reason(backend: Backend) {
    let mut harness = Harness::start(backend).await;
    let sensor = "ref: timed.fortnightly\nrunner_type: builtin\ntrigger_types: [core.intervaltimer]\n\
                  parameters:\n  interval: {type: integer}\n  unit: {type: string}\n\
                  config: {interval: 1, unit: fortnights}\n";
    harness.register_pack("timed", &[("sensors/fortnightly.yaml", sensor)]).await;
    let failing = harness.wait_for_sensor("timed.fortnightly", |s| s.status == SensorStatus::Failing).await;
    let detail = failing.status_detail.unwrap_or_default();
    assert!(detail.contains("invalid core.intervaltimer settings") && detail.contains("unit must be"), "{detail}");

    // A rule has no status: its refused timer is told as a notice (and logged).
    harness.timer_rule("typo", "core.crontimer", json!({"expresion": "* * * * * *"})).await;
    let reason = harness
        .wait_for_notice(|notice| match notice {
            Notice::TimerRefused { trigger_ref, reason, .. } if trigger_ref == "core.crontimer" => Some(reason.clone()),
            _ => None,
        })
        .await;
    assert!(reason.contains("unknown setting 'expresion'"), "{reason}");
    assert!(harness.events(&of_trigger("core.intervaltimer")).await.is_empty());
    assert!(harness.events(&of_trigger("core.crontimer")).await.is_empty());
    harness.stop().await;
}
