//! What every running sensor and timer shares: the store, the bus, and the notices the
//! service gives about what it does.
//!
//! Every event goes through [`attune_services::events::emit`], so it is recorded and the
//! rules engine is told, exactly as for webhooks. Every status change is written to the
//! store (the API shows it) and also broadcast as a [`Notice`], so that whoever watches
//! the service (tests, a live view) learns of it without reading the store in a loop.

use std::sync::Arc;

use attune_bus::Bus;
use attune_domain::event::NewEvent;
use attune_domain::status::SensorStatus;
use attune_domain::{Id, Json};
use attune_store::{Store, StoreError};
use tokio::sync::broadcast;
use tracing::Instrument;

/// Something the sensor service did.
#[derive(Debug, Clone, PartialEq)]
pub enum Notice {
    /// A sensor's status was recorded.
    Status {
        /// The sensor's ref.
        sensor_ref: String,
        /// Its new status.
        status: SensorStatus,
        /// Why, or what it is doing.
        detail: Option<String>,
    },
    /// A timer was started: `settings` (defaults applied) are its event's
    /// `config.trigger_parameters`.
    TimerStarted {
        /// `core.intervaltimer`, `core.crontimer` or `core.datetimetimer`.
        trigger_ref: String,
        /// Its settings.
        settings: Json,
    },
    /// A timer's settings were refused: it does not run. Built-in sensors configuring it
    /// show `reason` in their status; a rule has no status, so this notice and the log
    /// are where a rule's bad `trigger_parameters` show.
    TimerRefused {
        /// Its trigger.
        trigger_ref: String,
        /// Its settings, defaults applied.
        settings: Json,
        /// What is wrong with them.
        reason: String,
    },
    /// A timer was stopped: no rule or sensor configures it any more, or the service stops.
    TimerStopped {
        /// Its trigger.
        trigger_ref: String,
        /// Its settings.
        settings: Json,
    },
}

/// Notices kept for a subscriber that reads slowly; older ones are dropped for it.
const NOTICE_BACKLOG: usize = 1024;

/// The handles every unit of the service uses.
#[derive(Clone)]
pub(crate) struct Context {
    store: Arc<dyn Store>,
    bus: Arc<dyn Bus>,
    notices: broadcast::Sender<Notice>,
}

impl Context {
    pub(crate) fn new(store: Arc<dyn Store>, bus: Arc<dyn Bus>) -> Self {
        Self { store, bus, notices: broadcast::channel(NOTICE_BACKLOG).0 }
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Notice> {
        self.notices.subscribe()
    }

    /// Records and announces an event; a failure is logged (the occurrence is lost, as it
    /// would be if the service had not been running). Each event starts a trace, which the
    /// rules engine and the executions it causes continue.
    pub(crate) async fn emit(&self, event: &NewEvent) -> Option<Id> {
        let span = tracing::info_span!(
            "sensor.event",
            trigger = %event.trigger_ref,
            sensor = ?event.source_ref,
            trace_id = tracing::field::Empty,
        );
        attune_telemetry::trace::continue_trace(&span, None);
        let emitted = attune_services::events::emit(self.store.as_ref(), self.bus.as_ref(), event).instrument(span);
        match emitted.await {
            Ok(stored) => Some(stored.id),
            Err(error) => {
                tracing::warn!(trigger = %event.trigger_ref, source = ?event.source_ref, %error, "event could not be recorded");
                None
            }
        }
    }

    /// Records a sensor's status and announces it. A sensor deleted meanwhile has no status
    /// to record; that is not an error.
    pub(crate) async fn status(&self, sensor_ref: &str, status: SensorStatus, detail: Option<String>) {
        match status {
            SensorStatus::Failing => tracing::warn!(sensor = sensor_ref, %status, detail, "sensor status"),
            _ => tracing::info!(sensor = sensor_ref, %status, detail, "sensor status"),
        }
        match self.store.set_sensor_status(sensor_ref, status, detail.as_deref()).await {
            Ok(()) | Err(StoreError::NotFound { .. }) => {}
            Err(error) => tracing::warn!(sensor = sensor_ref, %error, "sensor status could not be recorded"),
        }
        self.notice(Notice::Status { sensor_ref: sensor_ref.to_owned(), status, detail });
    }

    /// Announces `notice` to subscribers, if any.
    pub(crate) fn notice(&self, notice: Notice) {
        // No subscriber is the normal case outside tests.
        let _ = self.notices.send(notice);
    }
}
