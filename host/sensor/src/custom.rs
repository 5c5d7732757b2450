//! What WASM and native sensors have in common: the sensor with its pack, where its entry
//! point is, and how what it reports becomes an event.
//!
//! A custom sensor's events carry its configuration as `config.trigger_parameters`, the
//! same place a timer's settings go, so a rule can ask for events from sensors configured
//! one way (a rule with no `trigger_parameters` takes them all). Parameters marked
//! `secret` are masked there: events are shown to anyone who may read them.

use std::path::PathBuf;

use attune_domain::Json;
use attune_domain::action::secret_parameters;
use attune_domain::event::NewEvent;
use attune_domain::pack::Pack;
use attune_domain::trigger::Sensor;
use serde_json::{Value, json};

/// How a secret configuration value appears in events.
const MASK: &str = "********";

/// A WASM or native sensor and its pack, as read from the store.
#[derive(Debug, Clone)]
pub(crate) struct CustomSensor {
    pub(crate) sensor: Sensor,
    pub(crate) pack: Pack,
}

impl CustomSensor {
    /// The sensor's ref.
    pub(crate) fn sensor_ref(&self) -> &str {
        &self.sensor.r#ref
    }

    /// The pack's directory.
    pub(crate) fn pack_dir(&self) -> Result<PathBuf, String> {
        let dir = self.pack.path.as_deref().ok_or_else(|| format!("pack '{}' has no directory", self.pack.r#ref))?;
        Ok(std::path::absolute(dir).unwrap_or_else(|_| PathBuf::from(dir)))
    }

    /// The entry point, `<pack>/sensors/<entry_point>`.
    pub(crate) fn entry_point(&self) -> Result<PathBuf, String> {
        let file = self.sensor.entry_point.as_deref().ok_or("the sensor has no entry_point")?;
        Ok(self.pack_dir()?.join("sensors").join(file))
    }

    /// The event for one occurrence the sensor reported, or why it is dropped.
    pub(crate) fn event(&self, trigger_ref: &str, payload: Json) -> Result<NewEvent, String> {
        if attune_services::rbac::pack_of(trigger_ref) != Some(self.pack.r#ref.as_str()) {
            return Err(format!(
                "dropped an event of trigger '{trigger_ref}': a sensor may only fire its own pack's triggers"
            ));
        }
        if !self.sensor.trigger_types.iter().any(|t| t == trigger_ref) {
            return Err(format!(
                "dropped an event of trigger '{trigger_ref}', which is not among the sensor's trigger_types ({})",
                self.sensor.trigger_types.join(", ")
            ));
        }
        Ok(NewEvent {
            trigger_ref: trigger_ref.to_owned(),
            config: json!({ "trigger_parameters": self.masked_config() }),
            payload,
            source_ref: Some(self.sensor.r#ref.clone()),
        })
    }

    fn masked_config(&self) -> Json {
        let mut config = self.sensor.config.clone();
        if let Some(map) = config.as_object_mut() {
            for name in secret_parameters(&self.sensor.param_schema) {
                if let Some(value) = map.get_mut(name) {
                    *value = Value::from(MASK);
                }
            }
        }
        config
    }

    /// Everything that, when it changes, calls for a restart: the definition, the pack's
    /// directory and configuration, and the entry point file's size and modification time
    /// (a pack registered again with a new script).
    pub(crate) fn fingerprint(&self) -> Json {
        let file = self.entry_point().ok().and_then(|path| std::fs::metadata(path).ok());
        let file = file.map(|meta| json!([meta.len(), meta.modified().ok().map(|t| format!("{t:?}"))]));
        let s = &self.sensor;
        json!({
            "runner_type": s.runner_type,
            "entry_point": s.entry_point,
            "trigger_types": s.trigger_types,
            "param_schema": s.param_schema,
            "config": s.config,
            "poll_interval_s": s.poll_interval_s,
            "pack": self.pack.id,
            "pack_dir": self.pack.path,
            "pack_config": self.pack.config,
            "file": file,
        })
    }
}
