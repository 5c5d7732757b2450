//! Role-based access: what a caller's permission sets grant, checked against what an
//! operation needs (a verb on a resource type, within a pack for pack components).
//!
//! Grants come from every permission set the caller's identity holds (`admin`, `editor`,
//! `operator`, `viewer`, pack-defined and custom sets); a grant without a pack covers every
//! pack, one with a pack only that pack's components. Operations on things outside any pack
//! (identities, events, whole lists) need a grant without a pack.

use attune_domain::identity::{Grant, PermissionSet, Verb};

use crate::{ServiceError, ServiceResult};

/// What an operation needs: `verb` on `resource`, within `pack` when the resource belongs
/// to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Need<'a> {
    /// Resource type (`action`, `execution`, `key`...).
    pub resource: &'a str,
    /// The verb.
    pub verb: Verb,
    /// The pack of the component acted on, when known.
    pub pack: Option<&'a str>,
}

impl<'a> Need<'a> {
    /// `verb` on `resource`, outside any pack.
    pub fn new(resource: &'a str, verb: Verb) -> Self {
        Self { resource, verb, pack: None }
    }

    /// The same need, within `pack`.
    pub fn in_pack(self, pack: Option<&'a str>) -> Self {
        Self { pack, ..self }
    }
}

impl std::fmt::Display for Need<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.resource, self.pack) {
            ("pack", Some(pack)) => write!(f, "{} on pack {pack}", self.verb),
            (resource, Some(pack)) => write!(f, "{} on {resource} in pack {pack}", self.verb),
            (resource, None) => write!(f, "{} on {resource}", self.verb),
        }
    }
}

/// The pack part of a component ref (`core` of `core.echo`); `None` for a bare name.
pub fn pack_of(component_ref: &str) -> Option<&str> {
    component_ref.split_once('.').map(|(pack, _)| pack).filter(|pack| !pack.is_empty())
}

/// The permission sets an identity holds and their grants, loaded once per request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    sets: Vec<String>,
    grants: Vec<Grant>,
}

impl Permissions {
    /// The permissions of an identity holding `sets`.
    pub fn from_sets(sets: Vec<PermissionSet>) -> Self {
        let refs = sets.iter().map(|set| set.r#ref.clone()).collect();
        let grants = sets.into_iter().flat_map(|set| set.grants).collect();
        Self { sets: refs, grants }
    }

    /// What exactly `grants` allow, held by no named set: for comparing grant lists.
    pub fn from_grants(grants: Vec<Grant>) -> Self {
        Self { sets: Vec::new(), grants }
    }

    /// Refs of the permission sets held.
    pub fn sets(&self) -> &[String] {
        &self.sets
    }

    /// Every grant of those sets.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// True when some grant allows `need`.
    pub fn allows(&self, need: Need<'_>) -> bool {
        self.grants.iter().any(|grant| grant.allows(need.resource, need.pack, need.verb))
    }

    /// True when some grant allows `verb` on `resource` in at least one pack (or outside
    /// any): whether there is anything of that type the caller may act on at all.
    pub fn allows_somewhere(&self, resource: &str, verb: Verb) -> bool {
        self.grants
            .iter()
            .any(|grant| (grant.resource == "*" || grant.resource == resource) && grant.verbs.contains(&verb))
    }

    /// `Ok` when some grant allows `need`; otherwise `forbidden`, naming what is missing.
    pub fn require(&self, need: Need<'_>) -> ServiceResult<()> {
        if self.allows(need) { Ok(()) } else { Err(ServiceError::Forbidden(format!("needs {need}"))) }
    }

    /// True when these permissions include everything `grant` allows: its verbs on its
    /// resource (every type for `*`) in its pack (every pack when it has none).
    pub fn covers(&self, grant: &Grant) -> bool {
        grant.verbs.iter().all(|verb| {
            self.grants.iter().any(|held| {
                (held.resource == "*" || held.resource == grant.resource)
                    && held.verbs.contains(verb)
                    && (held.pack.is_none() || held.pack == grant.pack)
            })
        })
    }

    /// The first grant of `grants` these permissions do not cover.
    pub fn first_uncovered<'g>(&self, grants: &'g [Grant]) -> Option<&'g Grant> {
        grants.iter().find(|grant| !self.covers(grant))
    }

    /// `Ok` when these permissions cover every grant of `grants`: nobody hands out more
    /// than they hold. Otherwise `forbidden`, naming the first grant not covered.
    pub fn require_covers(&self, grants: &[Grant]) -> ServiceResult<()> {
        match self.first_uncovered(grants) {
            None => Ok(()),
            Some(grant) => {
                Err(ServiceError::Forbidden(format!("cannot hand out {grant}: the caller does not hold it")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn permissions(grants: &[&str]) -> Permissions {
        Permissions { sets: vec!["test".into()], grants: grants.iter().map(|g| g.parse().unwrap()).collect() }
    }

    #[test]
    fn needs_are_met_by_matching_grants_and_named_when_not() {
        let core_runner = permissions(&["action@core:view,execute", "execution:view"]);
        let run_core = Need::new("action", Verb::Execute).in_pack(Some("core"));
        assert!(core_runner.require(run_core).is_ok());
        let run_other = Need::new("action", Verb::Execute).in_pack(Some("other"));
        let refused = core_runner.require(run_other).unwrap_err();
        assert_eq!(refused.to_string(), "needs execute on action in pack other");
        assert!(!core_runner.allows(Need::new("action", Verb::View)), "a scoped grant does not cover lists");
        assert!(core_runner.allows(Need::new("execution", Verb::View).in_pack(Some("any"))));
        assert_eq!(
            core_runner.require(Need::new("pack", Verb::Delete).in_pack(Some("core"))).unwrap_err().to_string(),
            "needs delete on pack core"
        );
        assert!(Permissions::default().require(Need::new("event", Verb::View)).is_err());
        assert!(core_runner.allows_somewhere("action", Verb::View), "a scoped grant is somewhere");
        assert!(!core_runner.allows_somewhere("event", Verb::View));
        assert!(!core_runner.allows_somewhere("execution", Verb::Execute));
    }

    #[test]
    fn covers_only_what_is_held() {
        let admin = permissions(&["*:view,create,modify,delete,execute,respond"]);
        let editor = permissions(&["action:view,execute", "key@slack:view"]);
        for grant in ["action:view", "action@core:execute", "key@slack:view"] {
            assert!(editor.covers(&grant.parse().unwrap()), "{grant}");
            assert!(admin.covers(&grant.parse().unwrap()), "{grant}");
        }
        for grant in ["*:view", "action:delete", "key:view", "key@other:view", "action:view,delete"] {
            assert!(!editor.covers(&grant.parse().unwrap()), "{grant}");
        }
        assert!(admin.covers(&"*@core:view".parse().unwrap()));
        let refused = editor.require_covers(&["action:view".parse().unwrap(), "key:view".parse().unwrap()]);
        assert_eq!(refused.unwrap_err().to_string(), "cannot hand out key:view: the caller does not hold it");
    }

    #[test]
    fn packs_of_refs() {
        assert_eq!(pack_of("core.echo"), Some("core"));
        assert_eq!(pack_of("core.a.b"), Some("core"));
        assert_eq!(pack_of("admin"), None);
        assert_eq!(pack_of(".x"), None);
    }
}
