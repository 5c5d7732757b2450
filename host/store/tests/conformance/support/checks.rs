//! Checks many tests make: which error a call failed with, and everything a pack owns.

use std::fmt::Debug;

use attune_domain::action::Action;
use attune_domain::identity::PermissionSet;
use attune_domain::pack::Pack;
use attune_domain::policy::Policy;
use attune_domain::rule::Rule;
use attune_domain::trigger::{Sensor, Trigger};
use attune_domain::workflow::WorkflowDefinition;
use attune_store::{ComponentFilter, RuleFilter, StoreError, StoreResult};

use super::backend::TestStore;
use super::fixtures::all;

/// Fails unless `result` is a not-found error.
#[track_caller]
pub fn assert_not_found<T: Debug>(result: StoreResult<T>) {
    match result {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("expected a not-found error, got {other:?}"),
    }
}

/// Fails unless `result` is a conflict.
#[track_caller]
pub fn assert_conflict<T: Debug>(result: StoreResult<T>) {
    match result {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("expected a conflict, got {other:?}"),
    }
}

/// Fails unless `result` is an unknown-reference error.
#[track_caller]
pub fn assert_unknown_reference<T: Debug>(result: StoreResult<T>) {
    match result {
        Err(StoreError::UnknownReference(_)) => {}
        other => panic!("expected an unknown-reference error, got {other:?}"),
    }
}

/// The ids of `rows`, in order.
pub fn ids<T>(rows: &[T], id: impl Fn(&T) -> i64) -> Vec<i64> {
    rows.iter().map(id).collect()
}

/// Everything stored for one pack, as the store's readers return it: equal snapshots mean
/// nothing about the pack changed.
#[derive(Debug, Clone, PartialEq)]
pub struct PackContents {
    /// The pack row, if there is one.
    pub pack: Option<Pack>,
    /// Its triggers, by ref.
    pub triggers: Vec<Trigger>,
    /// Its actions, by ref.
    pub actions: Vec<Action>,
    /// Its sensors, by ref.
    pub sensors: Vec<Sensor>,
    /// Its rules, by ref.
    pub rules: Vec<Rule>,
    /// Its policies, by ref.
    pub policies: Vec<Policy>,
    /// Its workflow definitions, by ref.
    pub workflows: Vec<WorkflowDefinition>,
    /// Its permission sets, by ref.
    pub permission_sets: Vec<PermissionSet>,
}

impl PackContents {
    /// Reads everything pack `pack_ref` owns.
    pub async fn read(store: &TestStore, pack_ref: &str) -> PackContents {
        let of_pack = ComponentFilter { pack: Some(pack_ref.to_owned()) };
        let rules_of_pack = RuleFilter { pack: Some(pack_ref.to_owned()), ..RuleFilter::default() };
        let pack = match store.get_pack(pack_ref).await {
            Ok(pack) => Some(pack),
            Err(StoreError::NotFound { .. }) => None,
            Err(error) => panic!("reading pack {pack_ref}: {error}"),
        };
        let policies = store.list_policies(None, all()).await.unwrap().items;
        let permission_sets = store.list_permission_sets(all()).await.unwrap().items;
        PackContents {
            pack,
            triggers: store.list_triggers(&of_pack, all()).await.unwrap().items,
            actions: store.list_actions(&of_pack, all()).await.unwrap().items,
            sensors: store.list_sensors(&of_pack, all()).await.unwrap().items,
            rules: store.list_rules(&rules_of_pack, all()).await.unwrap().items,
            policies: policies.into_iter().filter(|p| p.pack_ref == pack_ref).collect(),
            workflows: store.list_workflow_definitions(&of_pack, all()).await.unwrap().items,
            permission_sets: permission_sets.into_iter().filter(|s| s.pack_ref.as_deref() == Some(pack_ref)).collect(),
        }
    }

    /// True when nothing of the pack is stored.
    pub fn is_empty(&self) -> bool {
        self.pack.is_none()
            && self.triggers.is_empty()
            && self.actions.is_empty()
            && self.sensors.is_empty()
            && self.rules.is_empty()
            && self.policies.is_empty()
            && self.workflows.is_empty()
            && self.permission_sets.is_empty()
    }

    /// `(ref, id)` of every component, for checking that ids are kept.
    pub fn component_ids(&self) -> Vec<(String, i64)> {
        let mut ids = Vec::new();
        ids.extend(self.triggers.iter().map(|c| (format!("trigger {}", c.r#ref), c.id)));
        ids.extend(self.actions.iter().map(|c| (format!("action {}", c.r#ref), c.id)));
        ids.extend(self.sensors.iter().map(|c| (format!("sensor {}", c.r#ref), c.id)));
        ids.extend(self.rules.iter().map(|c| (format!("rule {}", c.r#ref), c.id)));
        ids.extend(self.policies.iter().map(|c| (format!("policy {}", c.r#ref), c.id)));
        ids.extend(self.workflows.iter().map(|c| (format!("workflow {}", c.r#ref), c.id)));
        ids.extend(self.permission_sets.iter().map(|c| (format!("permission set {}", c.r#ref), c.id)));
        ids
    }
}
