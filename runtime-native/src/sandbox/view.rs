//! The filesystem a confined process sees, planned from what it needs.
//!
//! The view starts empty (a fresh in-memory root) and gets, in this order of depth:
//! - the system directories, read-only (top-level symbolic links such as `/bin` →
//!   `usr/bin` are recreated as links);
//! - what the process needs beyond them ([`Exposure`]): its pack and the pack's environment
//!   and the interpreter's installation read-only, a directory being built writable;
//! - a private, size-limited `/tmp`, a `/proc` showing only the sandbox's own processes,
//!   and the few device files programs expect (`/dev/null`, `/dev/urandom`...);
//! - masks over every hidden path (data directory, configuration, caches) that a visible
//!   directory would otherwise show. A visible path beneath a hidden one is bound again
//!   over the mask, which is why steps run in order of depth.
//!
//! Landlock rules mirror the view: read and execute where the view is read-only, write in
//! `/tmp`, in writable directories and on `/dev/null`, directory listing everywhere.
//! Nothing else of the host exists for the process. Planning touches the host only to
//! look paths up, so it is tested directly.

use std::path::{Component, Path, PathBuf};

use super::SandboxError;
use super::spec::{Access, LandlockRule, MountOp};

/// What a confined process needs to see beyond the system directories.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Exposure {
    /// Visible read-only: the pack, its environment, the interpreter's installation.
    pub read_only: Vec<PathBuf>,
    /// Visible and writable: an environment being built.
    pub writable: Vec<PathBuf>,
}

/// The planned view and the matching Landlock rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewPlan {
    /// The steps building the view, in order.
    pub mounts: Vec<MountOp>,
    /// What Landlock allows, path by path.
    pub landlock: Vec<LandlockRule>,
}

/// Device files bound into `/dev`, and whether they are written to.
const DEVICES: [(&str, bool); 5] =
    [("/dev/null", true), ("/dev/zero", true), ("/dev/full", true), ("/dev/random", false), ("/dev/urandom", false)];

/// Links in `/dev` that programs rely on (`/dev/stdin`, bash's `/dev/fd/N`...).
const DEV_LINKS: [(&str, &str); 5] = [
    ("/dev/fd", "/proc/self/fd"),
    ("/dev/stdin", "/proc/self/fd/0"),
    ("/dev/stdout", "/proc/self/fd/1"),
    ("/dev/stderr", "/proc/self/fd/2"),
    // POSIX shared memory and semaphores (Python's multiprocessing) live in /tmp's limit.
    ("/dev/shm", "/tmp"),
];

/// Paths the view builds itself: no system path may be one of them or contain them, nor
/// lie beneath the host's process table or devices.
const RESERVED: [&str; 3] = ["/tmp", "/proc", "/dev"];

/// Plans the view of a process that needs `exposure`, with the `system` directories
/// visible, `hidden` paths masked, and a `/tmp` of `tmp_bytes`.
pub fn plan(
    system: &[PathBuf],
    exposure: &Exposure,
    hidden: &[PathBuf],
    tmp_bytes: u64,
) -> Result<ViewPlan, SandboxError> {
    let mut binds: Vec<Bound> = Vec::new();
    let mut steps: Vec<MountOp> = Vec::new();
    for path in system {
        let path = normalized(path);
        let beneath_host_only = path.starts_with("/proc") || path.starts_with("/dev");
        if beneath_host_only || RESERVED.iter().any(|r| Path::new(r).starts_with(&path)) {
            return Err(SandboxError::Path { path, reason: "cannot be a system path of the sandbox".into() });
        }
        let Ok(metadata) = std::fs::symlink_metadata(&path) else { continue };
        if metadata.file_type().is_symlink() {
            let points_to = std::fs::read_link(&path).map_err(|e| unreadable(&path, e))?;
            steps.push(MountOp::Symlink { target: path, points_to });
        } else {
            let source = std::fs::canonicalize(&path).map_err(|e| unreadable(&path, e))?;
            binds.push(Bound { source, target: path, writable: false, system: true });
        }
    }
    let hidden: Vec<PathBuf> = hidden.iter().flat_map(|path| host_forms(path)).collect();
    // Writable first: a read-only exposure of the same path (or beneath it) is then covered.
    let exposed = exposure.writable.iter().map(|p| (p, true)).chain(exposure.read_only.iter().map(|p| (p, false)));
    for (path, writable) in exposed {
        let source = std::fs::canonicalize(path).map_err(|e| unreadable(path, e))?;
        for target in [normalized(path), source.clone()] {
            let covered = binds.iter().any(|b| b.shows(&target) && (!writable || b.writable));
            let masked = hidden.iter().any(|h| target.starts_with(h));
            let listed = binds.iter().any(|b| b.target == target);
            if !listed && (!covered || masked) {
                binds.push(Bound { source: source.clone(), target, writable, system: false });
            }
        }
    }
    let mut masks = Vec::new();
    for bound in &binds {
        for h in &hidden {
            let beneath =
                h.strip_prefix(&bound.source).ok().filter(|rest| bound.system || !rest.as_os_str().is_empty());
            if let Some(rest) = beneath.filter(|_| h.exists()) {
                masks.push(MountOp::Mask { target: bound.target.join(rest) });
            }
        }
    }

    let mut landlock = vec![rule("/", Access::ListDirectories)];
    for bound in &binds {
        landlock.push(rule(&bound.target, if bound.writable { Access::Write } else { Access::Read }));
    }
    steps.extend(binds.into_iter().map(|b| MountOp::Bind {
        source: b.source,
        target: b.target,
        writable: b.writable,
        device: false,
    }));
    steps.extend(masks);
    steps.push(MountOp::Tmpfs { target: "/tmp".into(), size_bytes: tmp_bytes });
    steps.push(MountOp::Proc { target: "/proc".into() });
    landlock.push(rule("/tmp", Access::Write));
    landlock.push(rule("/proc", Access::Read));
    for (device, written) in DEVICES {
        steps.push(MountOp::Bind { source: device.into(), target: device.into(), writable: written, device: true });
        landlock.push(rule(device, if written { Access::Write } else { Access::Read }));
    }
    for (link, points_to) in DEV_LINKS {
        steps.push(MountOp::Symlink { target: link.into(), points_to: points_to.into() });
    }
    // Stable: at equal depth, the order above (a bind before the masks beneath it).
    steps.sort_by_key(|step| step.target().components().count());
    Ok(ViewPlan { mounts: steps, landlock })
}

/// A host directory or file made visible.
struct Bound {
    source: PathBuf,
    target: PathBuf,
    writable: bool,
    system: bool,
}

impl Bound {
    /// Whether `path` (in the view) is visible through this bind.
    fn shows(&self, path: &Path) -> bool {
        path.starts_with(&self.target)
    }
}

fn rule(path: impl Into<PathBuf>, access: Access) -> LandlockRule {
    LandlockRule { path: path.into(), access }
}

fn unreadable(path: &Path, error: std::io::Error) -> SandboxError {
    SandboxError::Path { path: path.to_path_buf(), reason: format!("cannot be made visible to the sandbox: {error}") }
}

/// `path` as written (made absolute) and, when it exists, as the host resolves it.
fn host_forms(path: &Path) -> Vec<PathBuf> {
    let written = normalized(path);
    match std::fs::canonicalize(&written) {
        Ok(resolved) if resolved != written => vec![written, resolved],
        _ => vec![written],
    }
}

/// `path` made absolute, with `.` and `..` resolved by name.
pub(crate) fn normalized(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::from("/");
    for component in absolute.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn targets(plan: &ViewPlan) -> Vec<(String, &'static str)> {
        plan.mounts
            .iter()
            .map(|step| {
                let kind = match step {
                    MountOp::Bind { writable: true, device: false, .. } => "rw",
                    MountOp::Bind { device: true, .. } => "dev",
                    MountOp::Bind { .. } => "ro",
                    MountOp::Symlink { .. } => "link",
                    MountOp::Tmpfs { .. } => "tmpfs",
                    MountOp::Proc { .. } => "proc",
                    MountOp::Mask { .. } => "mask",
                };
                (step.target().display().to_string(), kind)
            })
            .collect()
    }

    fn position(plan: &ViewPlan, target: &Path, kind: &str) -> usize {
        let wanted = (target.display().to_string(), kind);
        let all = targets(plan);
        all.iter().position(|t| t.0 == wanted.0 && t.1 == wanted.1).unwrap_or_else(|| panic!("{wanted:?} in {all:?}"))
    }

    #[test]
    fn system_directories_packs_and_builds_are_bound_with_their_access() {
        let root = tempfile::tempdir().unwrap();
        let (usr, pack, env) = (root.path().join("usr"), root.path().join("pack"), root.path().join("envs/p/python"));
        for dir in [&usr, &pack, &env] {
            std::fs::create_dir_all(dir).unwrap();
        }
        symlink("usr/bin", root.path().join("bin")).unwrap();
        let system = [usr.clone(), root.path().join("bin"), root.path().join("absent")];
        let exposure = Exposure { read_only: vec![pack.clone()], writable: vec![env.clone()] };
        let plan = plan(&system, &exposure, &[], 1 << 20).unwrap();

        position(&plan, &usr, "ro");
        position(&plan, &root.path().join("bin"), "link");
        position(&plan, &pack, "ro");
        position(&plan, &env, "rw");
        position(&plan, Path::new("/tmp"), "tmpfs");
        position(&plan, Path::new("/proc"), "proc");
        position(&plan, Path::new("/dev/null"), "dev");
        assert!(!targets(&plan).iter().any(|(t, _)| t.ends_with("absent")), "missing system paths are skipped");
        assert!(plan.landlock.contains(&rule(&pack, Access::Read)));
        assert!(plan.landlock.contains(&rule(&env, Access::Write)));
        assert!(plan.landlock.contains(&rule("/tmp", Access::Write)));
        assert!(!plan.landlock.iter().any(|r| r.path == usr && r.access == Access::Write));
    }

    #[test]
    fn hidden_paths_beneath_visible_ones_are_masked_and_exposures_beneath_masks_bound_again() {
        let root = tempfile::tempdir().unwrap();
        let system_dir = root.path().join("opt");
        let data = system_dir.join("attune-data");
        let envs = data.join("envs/p/python");
        let config = system_dir.join("attune.yaml");
        std::fs::create_dir_all(&envs).unwrap();
        std::fs::write(&config, "x").unwrap();
        let exposure = Exposure { read_only: vec![envs.clone()], writable: vec![] };
        let hidden = [data.clone(), config.clone(), root.path().join("not-there")];
        let plan = plan(std::slice::from_ref(&system_dir), &exposure, &hidden, 1 << 20).unwrap();

        let system = position(&plan, &system_dir, "ro");
        let masked = position(&plan, &data, "mask");
        let env = position(&plan, &envs, "ro");
        position(&plan, &config, "mask");
        assert!(system < masked && masked < env, "{:?}", targets(&plan));
        assert!(!targets(&plan).iter().any(|(t, _)| t.ends_with("not-there")));
    }

    #[test]
    fn an_exposure_inside_a_visible_directory_is_not_bound_twice() {
        let root = tempfile::tempdir().unwrap();
        let prefix = root.path().join("usr");
        std::fs::create_dir_all(prefix.join("lib/python3")).unwrap();
        let exposure = Exposure { read_only: vec![prefix.join("lib/python3")], writable: vec![] };
        let plan = plan(std::slice::from_ref(&prefix), &exposure, &[], 1 << 20).unwrap();
        let binds = targets(&plan).into_iter().filter(|(_, kind)| *kind == "ro").count();
        assert_eq!(binds, 1, "{:?}", targets(&plan));
    }

    #[test]
    fn reserved_and_missing_paths_are_errors() {
        for reserved in ["/", "/tmp", "/proc/sys", "/dev"] {
            let error = plan(&[reserved.into()], &Exposure::default(), &[], 0).unwrap_err();
            assert!(error.to_string().contains("cannot be a system path"), "{reserved}: {error}");
        }
        let exposure = Exposure { read_only: vec!["/no/such/pack".into()], writable: vec![] };
        let error = plan(&[], &exposure, &[], 0).unwrap_err().to_string();
        assert!(error.starts_with("/no/such/pack: cannot be made visible"), "{error}");
    }

    #[test]
    fn paths_are_normalised_by_name() {
        assert_eq!(normalized(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
        assert!(normalized(Path::new("rel")).is_absolute());
    }
}
