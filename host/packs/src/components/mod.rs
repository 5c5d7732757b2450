//! Turning pack files into domain components, file by file.
//!
//! Each kind of component has a converter that validates one parsed manifest and returns its
//! domain form or a message; [`load`] runs them over every file and gathers the problems.

mod actions;
mod governance;
mod sensing;

#[cfg(feature = "store")]
pub(crate) use sensing::check_criteria;
mod workflows;

pub use governance::policy_from_json;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use attune_domain::pack::{NewPack, PackBundle};
use attune_domain::refs::{ComponentRef, validate_name};
use attune_params::ParamSchema;
use serde::de::DeserializeOwned;

use crate::files::{read_yaml, relative, yaml_files};
use crate::manifest::{Named, PackManifest};
use crate::{LoadedPack, PackError, Problem};

/// What every converter needs to know about the pack being loaded.
pub(crate) struct PackContext<'a> {
    pub dir: &'a Path,
    pub pack_ref: &'a str,
    pub version: &'a str,
}

impl PackContext<'_> {
    /// The component's ref from its `ref`/`name`/`pack` fields or, failing those, its file
    /// name.
    pub fn component_ref(&self, file: &Path, manifest: &impl Named) -> Result<String, String> {
        let (full, name, pack) = manifest.naming();
        if let Some(pack) = pack
            && pack != self.pack_ref
        {
            return Err(format!("pack '{pack}' does not match the pack it is in ('{}')", self.pack_ref));
        }
        let from_ref =
            full.map(|r| ComponentRef::parse_in_pack(r, self.pack_ref).map_err(|e| e.to_string())).transpose()?;
        let from_name = name.map(|n| ComponentRef::new(self.pack_ref, n).map_err(|e| e.to_string())).transpose()?;
        match (from_ref, from_name) {
            (Some(r), Some(n)) if r != n => Err(format!("ref '{r}' and name '{}' disagree", n.name())),
            (Some(r), _) | (None, Some(r)) => Ok(r.to_string()),
            (None, None) => {
                let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
                ComponentRef::new(self.pack_ref, &stem)
                    .map(|r| r.to_string())
                    .map_err(|e| format!("no ref or name given, and the file name cannot be one: {e}"))
            }
        }
    }

    /// Checks that `entry_point` is a relative path inside `<pack>/<subdir>/` naming an
    /// existing file, and returns that file's path.
    pub fn entry_point_file(&self, subdir: &str, entry_point: &str) -> Result<std::path::PathBuf, String> {
        let relative = Path::new(entry_point);
        let escapes = relative.components().any(|c| !matches!(c, std::path::Component::Normal(_)));
        if entry_point.is_empty() || escapes {
            return Err(format!("entry_point '{entry_point}' must be a relative path inside {subdir}/"));
        }
        let path = self.dir.join(subdir).join(relative);
        if !path.is_file() {
            return Err(format!("entry_point file {subdir}/{entry_point} does not exist"));
        }
        Ok(path)
    }
}

/// Parses a parameter schema, prefixing errors with the field they came from.
pub(crate) fn param_schema(field: &str, declared: &serde_json::Value) -> Result<ParamSchema, String> {
    ParamSchema::parse(declared).map_err(|e| format!("{field}: {e}"))
}

/// Gathers the problems of a load, each with its file.
struct Problems<'a> {
    dir: &'a Path,
    found: Vec<Problem>,
}

impl Problems<'_> {
    fn push(&mut self, file: &Path, message: impl Into<String>) {
        self.found.push(Problem { file: relative(self.dir, file), message: message.into() });
    }
}

/// Loads every file of one kind: parse, convert, record problems; returns the components
/// with the file each came from.
fn load_kind<M: DeserializeOwned, T>(
    ctx: &PackContext<'_>,
    problems: &mut Problems<'_>,
    subdir: &str,
    convert: impl Fn(&PackContext<'_>, &Path, M) -> Result<T, String>,
) -> Vec<(String, T)> {
    let files = match yaml_files(&ctx.dir.join(subdir)) {
        Ok(files) => files,
        Err(message) => {
            problems.push(&ctx.dir.join(subdir), message);
            return Vec::new();
        }
    };
    let mut loaded = Vec::new();
    for file in files {
        match read_yaml::<M>(&file).and_then(|manifest| convert(ctx, &file, manifest)) {
            Ok(component) => loaded.push((relative(ctx.dir, &file), component)),
            Err(message) => problems.push(&file, message),
        }
    }
    loaded
}

/// Reads and validates the whole pack in `dir`.
pub(crate) fn load(dir: &Path) -> Result<LoadedPack, PackError> {
    let manifest_path = dir.join("pack.yaml");
    if !manifest_path.is_file() {
        return Err(PackError::single(dir, "pack.yaml", "missing: a pack directory needs a pack.yaml"));
    }
    let links = crate::links::links_leaving(dir);
    if !links.is_empty() {
        let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        let problems =
            links.into_iter().map(|(path, message)| Problem { file: relative(&root, &path), message }).collect();
        return Err(PackError::Invalid { dir: dir.display().to_string(), problems });
    }
    let manifest: PackManifest =
        read_yaml(&manifest_path).map_err(|message| PackError::single(dir, "pack.yaml", message))?;
    let pack = pack_row(dir, manifest).map_err(|message| PackError::single(dir, "pack.yaml", message))?;

    let ctx = PackContext { dir, pack_ref: &pack.r#ref, version: &pack.version };
    let mut problems = Problems { dir, found: Vec::new() };
    let triggers = load_kind(&ctx, &mut problems, "triggers", sensing::trigger);
    let sensors = load_kind(&ctx, &mut problems, "sensors", sensing::sensor);
    let rules = load_kind(&ctx, &mut problems, "rules", sensing::rule);
    let actions = load_kind(&ctx, &mut problems, "actions", actions::action);
    let workflows = load_kind(&ctx, &mut problems, "workflows", workflows::workflow);
    let policies = load_kind(&ctx, &mut problems, "policies", governance::policy);
    let permission_sets = load_kind(&ctx, &mut problems, "permission_sets", governance::permission_set);

    let mut files = BTreeMap::new();
    let mut bundle = PackBundle { pack: Some(pack.clone()), ..PackBundle::default() };
    // Workflows are actions too: their refs share the action namespace.
    let mut action_refs = HashSet::new();
    for (file, action) in actions {
        if register_unique(&mut problems, dir, &mut action_refs, &file, &action.r#ref, "action") {
            files.insert(("action", action.r#ref.clone()), file);
            bundle.actions.push(action);
        }
    }
    for (file, (definition, action)) in workflows {
        if register_unique(&mut problems, dir, &mut action_refs, &file, &action.r#ref, "action") {
            files.insert(("action", action.r#ref.clone()), file);
            bundle.workflows.push(definition);
            bundle.actions.push(action);
        }
    }
    macro_rules! collect_unique {
        ($loaded:expr, $field:ident, $kind:literal) => {{
            let mut seen = HashSet::new();
            for (file, component) in $loaded {
                if register_unique(&mut problems, dir, &mut seen, &file, &component.r#ref, $kind) {
                    files.insert(($kind, component.r#ref.clone()), file);
                    bundle.$field.push(component);
                }
            }
        }};
    }
    collect_unique!(triggers, triggers, "trigger");
    collect_unique!(sensors, sensors, "sensor");
    collect_unique!(rules, rules, "rule");
    collect_unique!(policies, policies, "policy");
    collect_unique!(permission_sets, permission_sets, "permission_set");

    if problems.found.is_empty() {
        Ok(LoadedPack { dir: dir.to_path_buf(), bundle, files })
    } else {
        Err(PackError::Invalid { dir: dir.display().to_string(), problems: problems.found })
    }
}

/// Records `component_ref` as taken; a second file declaring it is a problem.
fn register_unique(
    problems: &mut Problems<'_>,
    dir: &Path,
    seen: &mut HashSet<String>,
    file: &str,
    component_ref: &str,
    kind: &str,
) -> bool {
    if seen.insert(component_ref.to_owned()) {
        return true;
    }
    problems.push(&dir.join(file), format!("{kind} '{component_ref}' is declared by another file too"));
    false
}

/// Validates `pack.yaml` into the pack row.
fn pack_row(dir: &Path, manifest: PackManifest) -> Result<NewPack, String> {
    validate_name(&manifest.pack_ref).map_err(|e| format!("ref: {e}"))?;
    semver::Version::parse(&manifest.version)
        .map_err(|e| format!("version '{}' is not a semantic version: {e}", manifest.version))?;
    let schema = param_schema("config_schema", &manifest.config_schema)?;
    let config = schema.validate(&manifest.config).map_err(|errors| format!("config: {}", field_errors(&errors)))?;
    Ok(NewPack {
        label: manifest.label.unwrap_or_else(|| manifest.pack_ref.clone()),
        is_standard: manifest.pack_ref == "core",
        r#ref: manifest.pack_ref,
        description: manifest.description,
        version: manifest.version,
        author: manifest.author,
        config_schema: manifest.config_schema,
        config,
        runtime_deps: manifest.runtime_deps,
        tags: manifest.tags,
        path: Some(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf()).display().to_string()),
    })
}

/// `a: problem; b: problem` for a list of field errors.
pub(crate) fn field_errors(errors: &[attune_params::FieldError]) -> String {
    errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
}
