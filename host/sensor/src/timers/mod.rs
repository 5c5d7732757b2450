//! The built-in timers of the `core` pack: `core.intervaltimer`, `core.crontimer` and
//! `core.datetimetimer`.
//!
//! A timer is configured by an enabled rule on a timer trigger (its `trigger_parameters`)
//! or by an enabled built-in sensor (its `config`). Rules and sensors with identical
//! settings share one [`Timer`]: a firing is one event, which the rules engine matches
//! against every rule whose `trigger_parameters` agree with the event's
//! `config.trigger_parameters` — two timers with equal settings would make each of those
//! rules run twice. A firing emits
//!
//! ```json
//! {"trigger": "core.intervaltimer",
//!  "payload": {"executed_at": "2030-01-01T00:00:05.000Z", "schedule": {"unit": "seconds", "interval": 5}},
//!  "config": {"trigger_parameters": {"unit": "seconds", "interval": 5}}}
//! ```
//!
//! with the first (by ref) of the built-in sensors configuring the timer as its source.
//!
//! - [`settings`]: checking settings, defaults, the key that identifies a timer.
//! - `clock`: when a schedule fires next; waiting on the wall clock.

mod clock;
pub mod settings;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use attune_domain::event::NewEvent;
use attune_domain::status::SensorStatus;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::context::{Context, Notice};
use settings::{Schedule, TimerSettings};

/// One timer, running or refused for invalid settings.
pub(crate) struct Timer {
    settings: TimerSettings,
    shared: Arc<Shared>,
    /// Why the settings were refused; then nothing runs.
    problem: Option<String>,
    task: Option<(CancellationToken, JoinHandle<()>)>,
}

/// What the timer's task and the reconciler both see.
#[derive(Default)]
struct Shared {
    /// The built-in sensors configuring the timer (empty when only rules do).
    owners: Mutex<BTreeSet<String>>,
    /// Set once a one-shot timer is done: what happened.
    ended: Mutex<Option<String>>,
}

impl Timer {
    /// Starts the timer `settings` describe, or records why it cannot run.
    pub(crate) fn start(ctx: &Context, settings: TimerSettings) -> Timer {
        let shared = Arc::new(Shared::default());
        let (problem, task) = match settings.schedule() {
            Ok(schedule) => {
                let cancel = CancellationToken::new();
                let task = tokio::spawn(run(ctx.clone(), settings.clone(), schedule, shared.clone(), cancel.clone()));
                ctx.notice(Notice::TimerStarted {
                    trigger_ref: settings.trigger_ref.clone(),
                    settings: settings.settings.clone(),
                });
                tracing::info!(trigger = %settings.trigger_ref, settings = %settings.settings, "timer started");
                (None, Some((cancel, task)))
            }
            Err(problem) => {
                let problem = format!("invalid {} settings {}: {problem}", settings.trigger_ref, settings.settings);
                tracing::warn!("{problem}; the timer does not run");
                ctx.notice(Notice::TimerRefused {
                    trigger_ref: settings.trigger_ref.clone(),
                    settings: settings.settings.clone(),
                    reason: problem.clone(),
                });
                (Some(problem), None)
            }
        };
        Timer { settings, shared, problem, task }
    }

    /// Replaces the set of built-in sensors configuring the timer.
    pub(crate) fn set_owners(&self, owners: BTreeSet<String>) {
        *self.shared.owners.lock().expect("owners lock") = owners;
    }

    /// The status of a built-in sensor configuring this timer.
    pub(crate) fn owner_status(&self) -> (SensorStatus, Option<String>) {
        if let Some(problem) = &self.problem {
            return (SensorStatus::Failing, Some(problem.clone()));
        }
        match self.shared.ended.lock().expect("ended lock").clone() {
            Some(ended) => (SensorStatus::Stopped, Some(ended)),
            None => (SensorStatus::Running, None),
        }
    }

    /// Tells the timer to stop; [`Timer::stopped`] waits for it.
    pub(crate) fn cancel(&self) {
        if let Some((cancel, _)) = &self.task {
            cancel.cancel();
        }
    }

    /// Stops the timer and waits for its task to end.
    pub(crate) async fn stopped(self, ctx: &Context) {
        self.cancel();
        if let Some((_, task)) = self.task {
            if let Err(error) = task.await {
                tracing::error!(%error, "a timer task panicked");
            }
            ctx.notice(Notice::TimerStopped {
                trigger_ref: self.settings.trigger_ref.clone(),
                settings: self.settings.settings.clone(),
            });
            tracing::info!(trigger = %self.settings.trigger_ref, settings = %self.settings.settings, "timer stopped");
        }
    }
}

/// Fires on schedule until cancelled, or until a one-shot is done.
async fn run(
    ctx: Context,
    settings: TimerSettings,
    schedule: Schedule,
    shared: Arc<Shared>,
    cancel: CancellationToken,
) {
    let started = Utc::now();
    let mut after = started;
    let mut fired = None;
    while let Some(at) = schedule.next_after(after, started) {
        if !clock::sleep_until(at, &cancel).await {
            return;
        }
        let now = Utc::now();
        fire(&ctx, &settings, &shared, now).await;
        fired = Some(now);
        after = at.max(now);
    }
    let ended = match (fired, &schedule) {
        (Some(at), _) => format!("fired once, at {}", rfc3339(at)),
        (None, Schedule::Once(at)) => {
            format!("fire_at {} had passed when the timer started: it never fires", rfc3339(*at))
        }
        (None, _) => "the schedule has no further firing".to_owned(),
    };
    tracing::info!(trigger = %settings.trigger_ref, settings = %settings.settings, "{ended}");
    *shared.ended.lock().expect("ended lock") = Some(ended.clone());
    let owners = shared.owners.lock().expect("owners lock").clone();
    for owner in owners {
        ctx.status(&owner, SensorStatus::Stopped, Some(ended.clone())).await;
    }
}

async fn fire(ctx: &Context, settings: &TimerSettings, shared: &Shared, now: DateTime<Utc>) {
    let source_ref = shared.owners.lock().expect("owners lock").first().cloned();
    let event = NewEvent {
        trigger_ref: settings.trigger_ref.clone(),
        config: json!({ "trigger_parameters": settings.settings }),
        payload: json!({ "executed_at": rfc3339(now), "schedule": settings.settings }),
        source_ref,
    };
    ctx.emit(&event).await;
}

fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
