//! A sensor service on a throwaway store, the packs it runs, and bounded waits on what it
//! records.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use attune_bus::MemoryBus;
use attune_domain::event::Event;
use attune_domain::page::PageRequest;
use attune_domain::rule::NewRule;
use attune_domain::trigger::Sensor;
use attune_runtime_native::{NativeConfig, NativeRuntimes};
use attune_runtime_wasm::{WasmRuntime, WasmRuntimeConfig};
use attune_sensor::{Notice, RestartBackoff, SensorConfig, SensorDeps, SensorError, SensorService};
use attune_store::EventFilter;
use attune_test_support::{Backend, TestStore, write_pack};
use serde_json::Value;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::{CancellationToken, DropGuard};

/// Longest bounded wait: generous, since the machine may be busy compiling.
const PATIENCE: Duration = Duration::from_secs(60);

/// The repository's packs.
pub fn shipped_packs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../packs")
}

/// Settings that make the service react within a fraction of a second.
pub fn quick_config() -> SensorConfig {
    SensorConfig {
        refresh_every: Duration::from_millis(200),
        default_poll_interval: Duration::from_secs(1),
        restart: RestartBackoff {
            initial: Duration::from_millis(200),
            max: Duration::from_millis(400),
            reset_after: Duration::from_secs(60),
        },
        ..SensorConfig::default()
    }
}

/// A running sensor service on its own store with the `core` pack; stopped on drop.
pub struct Harness {
    pub store: TestStore,
    /// What the service did since it started.
    pub notices: broadcast::Receiver<Notice>,
    shutdown: CancellationToken,
    /// Stops the service when a failed test drops the harness.
    _stop_on_drop: DropGuard,
    task: Option<JoinHandle<Result<(), SensorError>>>,
}

impl Harness {
    pub async fn start(backend: Backend) -> Harness {
        let store = TestStore::new(backend).await;
        attune_packs::register_pack(store.store.as_ref(), &shipped_packs().join("core")).await.unwrap();
        let scratch = store.dir.path();
        let mut wasm = WasmRuntimeConfig::with_cache_dir(scratch.join("wasm-cache"));
        wasm.max_memory_bytes = 256 << 20;
        let mut native = NativeConfig::with_envs_dir(scratch.join("envs"));
        native.grace_period_ms = 500;
        let deps = SensorDeps {
            store: store.store.clone(),
            bus: Arc::new(MemoryBus::new()),
            wasm: WasmRuntime::new(wasm).unwrap(),
            toolchain: NativeRuntimes::new(native).toolchain().clone(),
        };
        let service = SensorService::new(deps, quick_config());
        let notices = service.subscribe();
        let shutdown = CancellationToken::new();
        let task = tokio::spawn(service.run(shutdown.clone()));
        Harness { store, notices, _stop_on_drop: shutdown.clone().drop_guard(), shutdown, task: Some(task) }
    }

    /// Writes pack `name` (its `pack.yaml` added) in the scratch directory and registers
    /// it; writing it again with other files re-registers it.
    pub async fn register_pack(&self, name: &str, files: &[(&str, &str)]) {
        let dir = write_pack(&self.store.dir.path().join("packs"), name, files);
        attune_packs::register_pack(self.store.store.as_ref(), &dir).await.unwrap();
    }

    /// Creates an enabled rule `core.<name>` on a timer trigger, running `core.noop`.
    pub async fn timer_rule(&self, name: &str, trigger_ref: &str, trigger_params: Value) {
        let rule = NewRule {
            r#ref: format!("core.{name}"),
            label: name.into(),
            description: None,
            trigger_ref: trigger_ref.into(),
            trigger_params,
            criteria: serde_json::json!({}),
            action_ref: "core.noop".into(),
            action_params: serde_json::json!({}),
            enabled: true,
            author: None,
        };
        self.store.store.create_rule(&rule).await.unwrap();
    }

    /// The stored events matching `filter`, oldest first.
    pub async fn events(&self, filter: &EventFilter) -> Vec<Event> {
        let page = PageRequest::new(1, PageRequest::MAX_PAGE_SIZE);
        let mut events = self.store.store.list_events(filter, page).await.unwrap().items;
        events.sort_by_key(|event| event.id);
        events
    }

    /// Waits until at least `count` events match `filter`; returns them, oldest first.
    pub async fn wait_for_events(&self, filter: &EventFilter, count: usize) -> Vec<Event> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let events = self.events(filter).await;
            if events.len() >= count {
                return events;
            }
            assert!(Instant::now() < deadline, "{} of {count} events matching {filter:?}: {events:#?}", events.len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the stored sensor satisfies `wanted`; returns it.
    pub async fn wait_for_sensor(&self, sensor_ref: &str, wanted: impl Fn(&Sensor) -> bool) -> Sensor {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let sensor = self.store.store.get_sensor(sensor_ref).await.unwrap();
            if wanted(&sensor) {
                return sensor;
            }
            assert!(
                Instant::now() < deadline,
                "sensor {sensor_ref} stuck in {} ({:?})",
                sensor.status,
                sensor.status_detail
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits for the first notice `wanted` picks something out of.
    pub async fn wait_for_notice<T>(&mut self, wanted: impl Fn(&Notice) -> Option<T>) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            match tokio::time::timeout_at(deadline, self.notices.recv()).await {
                Ok(Ok(notice)) => {
                    if let Some(found) = wanted(&notice) {
                        return found;
                    }
                }
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
                Ok(Err(broadcast::error::RecvError::Closed)) => panic!("the sensor service stopped"),
                Err(_) => panic!("the awaited notice never came"),
            }
        }
    }

    /// Stops the service and waits for it (it must stop cleanly); returns the store to
    /// read what the service left behind.
    pub async fn stop(mut self) -> TestStore {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            task.await.expect("the sensor service does not panic").expect("the sensor service stops cleanly");
        }
        self.store
    }
}

/// Events of one trigger.
pub fn of_trigger(trigger_ref: &str) -> EventFilter {
    EventFilter { trigger_ref: Some(trigger_ref.into()), ..EventFilter::default() }
}

/// Events of one sensor.
pub fn of_sensor(sensor_ref: &str) -> EventFilter {
    EventFilter { source_ref: Some(sensor_ref.into()), ..EventFilter::default() }
}

/// An event payload's `executed_at`, as a time.
pub fn executed_at(event: &Event) -> chrono::DateTime<chrono::Utc> {
    let text = event.payload["executed_at"].as_str().expect("timer events carry executed_at");
    chrono::DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}
