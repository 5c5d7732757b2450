//! Entering the Landlock domain: every filesystem access this build knows of is handled
//! (denied unless a rule allows it), and so are the scopes, which keep the process from
//! signalling or connecting to abstract sockets of anything outside its domain. The
//! kernel's own ABI decides what is enforced; on a kernel without Landlock nothing would
//! be, and that is refused.

use landlock::{
    ABI, Access, AccessFs, CompatLevel, Compatible, LandlockStatus, PathBeneath, PathFd, Ruleset, RulesetAttr,
    RulesetCreatedAttr, RulesetStatus, Scope,
};

use crate::sandbox::spec::{self, LandlockReport, LandlockRule};

/// The newest ABI whose rights this build asks for.
const TARGET: ABI = ABI::V6;

/// Restricts this process (and everything it starts) to `rules`.
pub fn restrict(rules: &[LandlockRule]) -> Result<LandlockReport, String> {
    let failed = |e: landlock::RulesetError| format!("cannot set up Landlock: {e}");
    let mut ruleset = Ruleset::default()
        .set_compatibility(CompatLevel::BestEffort)
        .handle_access(AccessFs::from_all(TARGET))
        .map_err(failed)?
        .scope(Scope::from_all(TARGET))
        .map_err(failed)?
        .create()
        .map_err(failed)?;
    for rule in rules {
        let Ok(fd) = PathFd::new(&rule.path) else {
            // Not in the view (a system directory this host lacks): nothing to allow.
            continue;
        };
        let is_dir = std::fs::metadata(&rule.path).is_ok_and(|meta| meta.is_dir());
        let mut access = match rule.access {
            spec::Access::ListDirectories => AccessFs::ReadDir.into(),
            spec::Access::Read => AccessFs::from_read(TARGET),
            spec::Access::Write => AccessFs::from_all(TARGET),
        };
        if !is_dir {
            access &= AccessFs::from_file(TARGET);
        }
        ruleset = ruleset
            .add_rule(PathBeneath::new(fd, access))
            .map_err(|e| format!("cannot allow {} in Landlock: {e}", rule.path.display()))?;
    }
    let status = ruleset.restrict_self().map_err(failed)?;
    let abi = match status.landlock {
        LandlockStatus::Available { effective_abi, kernel_abi } => {
            kernel_abi.and_then(|n| u32::try_from(n).ok()).unwrap_or_else(|| number(effective_abi))
        }
        LandlockStatus::NotEnabled => {
            return Err("Landlock is built into the kernel but not enabled (boot with lsm=...,landlock)".into());
        }
        LandlockStatus::NotImplemented => {
            return Err("the kernel has no Landlock (Linux 5.13 or later with CONFIG_SECURITY_LANDLOCK)".into());
        }
    };
    let status = match status.ruleset {
        RulesetStatus::FullyEnforced => "fully_enforced",
        RulesetStatus::PartiallyEnforced => "partially_enforced",
        RulesetStatus::NotEnforced => return Err("Landlock restricted nothing on this kernel".into()),
    };
    Ok(LandlockReport { abi, status: status.into() })
}

/// The version number of `abi`.
fn number(abi: ABI) -> u32 {
    match abi {
        ABI::V1 => 1,
        ABI::V2 => 2,
        ABI::V3 => 3,
        ABI::V4 => 4,
        ABI::V5 => 5,
        ABI::V6 => 6,
        ABI::V7 => 7,
        ABI::V8 => 8,
        ABI::V9 => 9,
        ABI::V10 => 10,
        _ => 0,
    }
}
