//! Reading the configuration from its sources.

use std::path::{Path, PathBuf};

use serde_yaml_ng::{Mapping, Value};

use crate::model::Config;

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid YAML, or not a mapping.
    #[error("config file {path}: {message}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A key is unknown or has a value of the wrong type.
    #[error("{origin}: {key}: {message}")]
    Invalid {
        /// Where the key came from (a file, or an environment variable).
        origin: String,
        /// The dotted key.
        key: String,
        /// What is wrong.
        message: String,
    },
}

/// Reads the configuration: `file` when given (it must exist), otherwise `./attune.yaml`
/// when present; then the `ATTUNE__*` variables and `ATTUNE_DATA_DIR` from `env`.
pub fn load(file: Option<&Path>, env: impl IntoIterator<Item = (String, String)>) -> Result<Config, ConfigError> {
    let default_file = Path::new("attune.yaml");
    let file = file.or_else(|| default_file.is_file().then_some(default_file));
    let mut root = match file {
        Some(path) => read_file(path)?,
        None => Mapping::new(),
    };
    let file_origin = file.map_or_else(|| "configuration".to_owned(), |p| p.display().to_string());

    // Dotted key → the variable that set it, to name the variable in errors.
    let mut from_env: Vec<(String, String)> = Vec::new();
    for (name, value) in env {
        let path: Vec<String> = if name == "ATTUNE_DATA_DIR" {
            vec!["data_dir".into()]
        } else if let Some(rest) = name.strip_prefix("ATTUNE__") {
            rest.split("__").map(str::to_lowercase).collect()
        } else {
            continue;
        };
        if path.iter().any(String::is_empty) {
            return Err(ConfigError::Invalid {
                origin: name,
                key: path.join("."),
                message: "empty key segment".into(),
            });
        }
        let parsed = serde_yaml_ng::from_str::<Value>(&value).unwrap_or(Value::String(value.clone()));
        // An empty variable or a YAML null means "unset": leave the default.
        let parsed = if parsed.is_null() { Value::String(value) } else { parsed };
        set_path(&mut root, &path, parsed).map_err(|message| ConfigError::Invalid {
            origin: name.clone(),
            key: path.join("."),
            message,
        })?;
        from_env.push((path.join("."), name));
    }

    let mut config = serde_path_to_error::deserialize::<_, Config>(Value::Mapping(root)).map_err(|error| {
        let key = error.path().to_string();
        let origin = from_env
            .iter()
            .find(|(set, _)| key == *set || key.starts_with(&format!("{set}.")) || set.starts_with(&format!("{key}.")))
            .map_or_else(|| file_origin.clone(), |(_, var)| var.clone());
        ConfigError::Invalid { origin, key, message: error.into_inner().to_string() }
    })?;
    config.file = file.map(Path::to_path_buf);
    Ok(config)
}

fn read_file(path: &Path) -> Result<Mapping, ConfigError> {
    let text =
        std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
    match serde_yaml_ng::from_str::<Value>(&text) {
        Ok(Value::Mapping(root)) => Ok(root),
        Ok(Value::Null) => Ok(Mapping::new()),
        Ok(_) => {
            Err(ConfigError::Syntax { path: path.to_path_buf(), message: "the top level must be a mapping".into() })
        }
        Err(e) => Err(ConfigError::Syntax { path: path.to_path_buf(), message: e.to_string() }),
    }
}

/// Sets `root[path...] = value`, creating intermediate mappings.
fn set_path(root: &mut Mapping, path: &[String], value: Value) -> Result<(), String> {
    let (last, parents) = path.split_last().ok_or("empty key")?;
    let mut node = root;
    for segment in parents {
        let child = node.entry(Value::String(segment.clone())).or_insert_with(|| Value::Mapping(Mapping::new()));
        node = child.as_mapping_mut().ok_or_else(|| format!("'{segment}' is a value, not a section"))?;
    }
    node.insert(Value::String(last.clone()), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("attune.yaml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn defaults_without_any_source() {
        let config = load(None, env(&[])).unwrap();
        assert_eq!(config.server.listen, "127.0.0.1:8080");
        assert_eq!(config.database_url(), "sqlite://./.attune/attune.db");
        assert_eq!(config.runtime_envs_dir(), PathBuf::from("./.attune/envs"));
        assert!(config.bus.url.is_none());
    }

    #[test]
    fn environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "server:\n  listen: 0.0.0.0:9000\nlimits:\n  timeout_s: 5\n");
        let config = load(
            Some(&file),
            env(&[
                ("ATTUNE__SERVER__LISTEN", "127.0.0.1:7000"),
                ("ATTUNE__DATABASE__URL", "postgres://postgres@127.0.0.1:5432/attune"),
                ("ATTUNE__LIMITS__MAX_FUEL", "42"),
                ("ATTUNE_DATA_DIR", "/var/lib/attune"),
                ("UNRELATED", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(config.server.listen, "127.0.0.1:7000");
        assert_eq!(config.limits.timeout_s, 5);
        assert_eq!(config.limits.max_fuel, 42);
        assert_eq!(config.data_dir, PathBuf::from("/var/lib/attune"));
        assert_eq!(config.database_url(), "postgres://postgres@127.0.0.1:5432/attune");
    }

    #[test]
    fn unknown_keys_are_named_with_their_origin() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "server:\n  lisen: 0.0.0.0:9000\n");
        let error = load(Some(&file), env(&[])).unwrap_err();
        let ConfigError::Invalid { origin, key, message } = error else { panic!("{error}") };
        assert!(origin.ends_with("attune.yaml"), "{origin}");
        assert_eq!(key, "server.lisen");
        assert!(message.contains("unknown field `lisen`"), "{message}");

        let error = load(None, env(&[("ATTUNE__SERVR__LISTEN", "x")])).unwrap_err();
        let ConfigError::Invalid { origin, key, .. } = error else { panic!("{error}") };
        assert_eq!(origin, "ATTUNE__SERVR__LISTEN");
        assert_eq!(key, "servr");
    }

    #[test]
    fn the_sensor_section_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "sensor:\n  refresh_ms: 250\n  restart_max_ms: 8000\n");
        let config = load(Some(&file), env(&[("ATTUNE__SENSOR__DEFAULT_POLL_INTERVAL_S", "15")])).unwrap();
        assert_eq!((config.sensor.refresh_ms, config.sensor.restart_max_ms), (250, 8000));
        assert_eq!(config.sensor.default_poll_interval_s, 15);
        assert_eq!(config.sensor.restart_initial_ms, 1000, "defaults fill the rest");

        let error = load(None, env(&[("ATTUNE__OPS__TRACES__SAMPLE_RATIO", "1.5")])).unwrap_err();
        let ConfigError::Invalid { key, message, .. } = error else { panic!("{error}") };
        assert_eq!(key, "ops.traces.sample_ratio");
        assert!(message.contains("not between 0 and 1"), "{message}");
        let config = load(None, env(&[("ATTUNE__OPS__TRACES__SAMPLE_RATIO", "0.25")])).unwrap();
        assert_eq!(config.ops.traces.sample_ratio, 0.25);

        let error = load(None, env(&[("ATTUNE__SENSOR__REFRESH_S", "1")])).unwrap_err();
        let ConfigError::Invalid { key, message, .. } = error else { panic!("{error}") };
        assert_eq!(key, "sensor.refresh_s");
        assert!(message.contains("unknown field `refresh_s`"), "{message}");
    }

    #[test]
    fn the_native_runtime_section_is_read_and_the_file_remembered() {
        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "runtimes:\n  native:\n    run_as: attune-run\n    limits: {processes: 32}\n");
        let config = load(Some(&file), env(&[("ATTUNE__RUNTIMES__NATIVE__SANDBOX", "false")])).unwrap();
        let native = &config.runtimes.native;
        assert_eq!(native.run_as.as_deref(), Some("attune-run"));
        assert_eq!((native.limits.processes, native.limits.memory_mb), (32, 512));
        assert!(!native.sandbox);
        assert_eq!(config.file.as_deref(), Some(file.as_path()));
        let error = load(None, env(&[("ATTUNE__RUNTIMES__NATIVE__RUNAS", "x")])).unwrap_err();
        assert!(error.to_string().contains("unknown field `runas`"), "{error}");
    }

    #[test]
    fn wrong_types_and_bad_files_are_errors() {
        let error = load(None, env(&[("ATTUNE__LIMITS__TIMEOUT_S", "soon")])).unwrap_err().to_string();
        assert!(error.contains("ATTUNE__LIMITS__TIMEOUT_S") && error.contains("limits.timeout_s"), "{error}");

        let dir = tempfile::tempdir().unwrap();
        let file = write(dir.path(), "- a list\n");
        assert!(matches!(load(Some(&file), env(&[])), Err(ConfigError::Syntax { .. })));
        assert!(matches!(load(Some(&dir.path().join("missing.yaml")), env(&[])), Err(ConfigError::Read { .. })));
    }
}
