//! What should be running, as read from the store: the timers that enabled rules and
//! built-in sensors configure, and the enabled WASM and native sensors.

use std::collections::{BTreeMap, BTreeSet};

use attune_domain::Json;
use attune_domain::pack::Pack;
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::{RunnerType, SensorStatus};
use attune_domain::trigger::Sensor;
use attune_store::{ComponentFilter, RuleFilter, Store, StoreError, StoreResult};
use serde_json::json;

use crate::custom::CustomSensor;
use crate::timers::settings::{TIMER_TRIGGERS, TimerKey, TimerSettings, is_timer};

/// Everything the service should run.
#[derive(Default)]
pub(crate) struct Desired {
    /// Each distinct timer, with the built-in sensors configuring it.
    pub(crate) timers: BTreeMap<TimerKey, DesiredTimer>,
    /// Each enabled sensor the service runs, by ref.
    pub(crate) sensors: BTreeMap<String, DesiredSensor>,
    /// Disabled sensors the service would run if enabled, with their stored status.
    pub(crate) idle: Vec<(String, SensorStatus)>,
}

/// One timer.
pub(crate) struct DesiredTimer {
    pub(crate) settings: TimerSettings,
    /// Built-in sensors configuring it (empty when only rules do).
    pub(crate) owners: BTreeSet<String>,
}

/// One enabled sensor.
pub(crate) enum DesiredSensor {
    /// A built-in sensor: the timers it configures, and its definition.
    Builtin { timers: Vec<TimerKey>, definition: Json },
    /// Polled through the WebAssembly runtime.
    Wasm(CustomSensor),
    /// A long-running script.
    Native(CustomSensor),
}

impl DesiredSensor {
    /// What, when it changes, calls for a restart.
    pub(crate) fn fingerprint(&self) -> Json {
        match self {
            DesiredSensor::Builtin { definition, .. } => definition.clone(),
            DesiredSensor::Wasm(unit) | DesiredSensor::Native(unit) => unit.fingerprint(),
        }
    }
}

impl Desired {
    /// Reads the enabled sensors and the enabled rules on timer triggers.
    pub(crate) async fn load(store: &dyn Store, packs_cache: &std::path::Path) -> StoreResult<Desired> {
        let mut desired = Desired::default();
        let mut packs = BTreeMap::new();
        let all = &ComponentFilter::default();
        let sensors = every(move |page| store.list_sensors(all, page)).await?;
        for sensor in sensors {
            if !handled(&sensor) {
                continue;
            }
            if !sensor.enabled {
                desired.idle.push((sensor.r#ref.clone(), sensor.status));
                continue;
            }
            let sensor_ref = sensor.r#ref.clone();
            let entry = match sensor.runner_type {
                RunnerType::Builtin => Some(desired.builtin(sensor)),
                RunnerType::Wasm => pack_of(store, packs_cache, &mut packs, sensor).await?.map(DesiredSensor::Wasm),
                _ => pack_of(store, packs_cache, &mut packs, sensor).await?.map(DesiredSensor::Native),
            };
            if let Some(entry) = entry {
                desired.sensors.insert(sensor_ref, entry);
            }
        }
        for trigger_ref in TIMER_TRIGGERS {
            let filter =
                &RuleFilter { trigger_ref: Some(trigger_ref.to_owned()), enabled: Some(true), ..RuleFilter::default() };
            for rule in every(move |page| store.list_rules(filter, page)).await? {
                desired.timer(TimerSettings::new(trigger_ref, &rule.trigger_params));
            }
        }
        Ok(desired)
    }

    fn timer(&mut self, settings: TimerSettings) -> &mut DesiredTimer {
        self.timers.entry(settings.key()).or_insert_with(|| DesiredTimer { settings, owners: BTreeSet::new() })
    }

    /// A built-in sensor: its config configures a timer of each timer trigger it lists.
    fn builtin(&mut self, sensor: Sensor) -> DesiredSensor {
        let mut timers = Vec::new();
        for trigger_ref in sensor.trigger_types.iter().filter(|t| is_timer(t)) {
            let settings = TimerSettings::new(trigger_ref, &sensor.config);
            timers.push(settings.key());
            self.timer(settings).owners.insert(sensor.r#ref.clone());
        }
        let definition = json!({ "trigger_types": sensor.trigger_types, "config": sensor.config });
        DesiredSensor::Builtin { timers, definition }
    }
}

/// Whether this service runs `sensor` when it is enabled. Built-in sensors of other
/// triggers (webhooks) have nothing to run here.
fn handled(sensor: &Sensor) -> bool {
    match sensor.runner_type {
        RunnerType::Builtin => sensor.trigger_types.iter().any(|t| is_timer(t)),
        RunnerType::Wasm | RunnerType::Python | RunnerType::Shell | RunnerType::Node => true,
        RunnerType::Workflow | RunnerType::Inquiry => false,
    }
}

/// The sensor with its pack; `None` when the pack disappeared meanwhile, or its archive
/// cannot be unpacked here. A pack installed from an archive gets the directory its
/// archive is unpacked in (fetched from the store by digest the first time) as its path.
async fn pack_of(
    store: &dyn Store,
    packs_cache: &std::path::Path,
    packs: &mut BTreeMap<String, Pack>,
    sensor: Sensor,
) -> StoreResult<Option<CustomSensor>> {
    if !packs.contains_key(&sensor.pack_ref) {
        match store.get_pack(&sensor.pack_ref).await {
            Ok(mut pack) => {
                if pack.archive_digest.is_some() {
                    let limits = attune_packs::archive::Limits::default();
                    match attune_packs::pack_files(store, &pack, packs_cache, &limits).await {
                        Ok(dir) => pack.path = Some(dir.display().to_string()),
                        Err(error) => {
                            tracing::warn!(pack = %pack.r#ref, %error, "cannot unpack the pack's archive; its sensors do not run");
                            return Ok(None);
                        }
                    }
                }
                packs.insert(pack.r#ref.clone(), pack);
            }
            Err(StoreError::NotFound { .. }) => return Ok(None),
            Err(other) => return Err(other),
        }
    }
    let pack = packs[&sensor.pack_ref].clone();
    Ok(Some(CustomSensor { sensor, pack }))
}

/// Every row of a paged list. `list` is a plain closure returning the store's future (not
/// an async closure): the futures of async closures over borrowed arguments are not known
/// to be `Send`, and the service runs on a multi-threaded runtime.
async fn every<T, F>(mut list: impl FnMut(PageRequest) -> F) -> StoreResult<Vec<T>>
where
    F: Future<Output = StoreResult<Page<T>>>,
{
    let mut rows = Vec::new();
    for page in 1.. {
        let batch = list(PageRequest::new(page, PageRequest::MAX_PAGE_SIZE)).await?;
        let last = batch.items.len() < PageRequest::MAX_PAGE_SIZE as usize;
        rows.extend(batch.items);
        if last {
            break;
        }
    }
    Ok(rows)
}
