//! Packs and the components they own.

use async_trait::async_trait;
use attune_domain::action::Action;
use attune_domain::pack::{Pack, PackBundle, PackVersion, RegistrationSummary};
use attune_domain::page::{Page, PageRequest};
use attune_domain::policy::{NewPolicy, Policy};
use attune_domain::rule::{NewRule, Rule};
use attune_domain::status::SensorStatus;
use attune_domain::trigger::{Sensor, Trigger};
use attune_domain::workflow::WorkflowDefinition;
use attune_domain::{Id, Json};

use crate::StoreResult;

/// Narrows a component list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ComponentFilter {
    /// Only components of this pack.
    pub pack: Option<String>,
}

/// Narrows a rule list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleFilter {
    /// Only rules of this pack.
    pub pack: Option<String>,
    /// Only rules on this trigger.
    pub trigger_ref: Option<String>,
    /// Only rules running this action.
    pub action_ref: Option<String>,
    /// Only enabled (true) or disabled (false) rules.
    pub enabled: Option<bool>,
}

/// Packs and their components.
#[async_trait]
pub trait PackStore: Send + Sync {
    /// Stores a whole pack in one transaction: the pack row is created or updated, every
    /// declared component created or updated in place (ids kept), and components the pack no
    /// longer declares deleted — except rules created through [`Self::create_rule`], which
    /// stay (a rule the files now declare under the same ref becomes theirs). Either
    /// everything is stored or nothing is. A component whose ref another pack (or no pack)
    /// already holds is a conflict.
    ///
    /// A bundle with an archive keeps it, in the same transaction, as a version of the pack
    /// (the pack row then names its digest); a version is immutable, so the same version
    /// with another digest is a conflict.
    async fn register_pack(&self, bundle: &PackBundle) -> StoreResult<RegistrationSummary>;
    /// The versions of a pack installed from archives, newest first.
    async fn list_pack_versions(&self, pack_ref: &str) -> StoreResult<Vec<PackVersion>>;
    /// One version of a pack, with its archive's bytes.
    async fn get_pack_version(&self, pack_ref: &str, version: &str) -> StoreResult<(PackVersion, Vec<u8>)>;
    /// An archive's bytes by digest.
    async fn get_pack_archive(&self, digest: &str) -> StoreResult<Vec<u8>>;
    /// A pack by ref.
    async fn get_pack(&self, pack_ref: &str) -> StoreResult<Pack>;
    /// A pack by id.
    async fn get_pack_by_id(&self, id: Id) -> StoreResult<Pack>;
    /// Packs, ordered by ref.
    async fn list_packs(&self, page: PageRequest) -> StoreResult<Page<Pack>>;
    /// Replaces a pack's configuration values.
    async fn set_pack_config(&self, pack_ref: &str, config: &Json) -> StoreResult<Pack>;
    /// Deletes a pack and, by cascade, every component it owns.
    async fn delete_pack(&self, pack_ref: &str) -> StoreResult<()>;

    /// An action by ref.
    async fn get_action(&self, action_ref: &str) -> StoreResult<Action>;
    /// An action by id.
    async fn get_action_by_id(&self, id: Id) -> StoreResult<Action>;
    /// Actions, ordered by ref.
    async fn list_actions(&self, filter: &ComponentFilter, page: PageRequest) -> StoreResult<Page<Action>>;

    /// A trigger by ref.
    async fn get_trigger(&self, trigger_ref: &str) -> StoreResult<Trigger>;
    /// Triggers, ordered by ref.
    async fn list_triggers(&self, filter: &ComponentFilter, page: PageRequest) -> StoreResult<Page<Trigger>>;

    /// A sensor by ref.
    async fn get_sensor(&self, sensor_ref: &str) -> StoreResult<Sensor>;
    /// Sensors, ordered by ref.
    async fn list_sensors(&self, filter: &ComponentFilter, page: PageRequest) -> StoreResult<Page<Sensor>>;
    /// Records whether the sensor service runs a sensor (and why not).
    async fn set_sensor_status(&self, sensor_ref: &str, status: SensorStatus, detail: Option<&str>) -> StoreResult<()>;

    /// A rule by ref.
    async fn get_rule(&self, rule_ref: &str) -> StoreResult<Rule>;
    /// Rules, ordered by ref.
    async fn list_rules(&self, filter: &RuleFilter, page: PageRequest) -> StoreResult<Page<Rule>>;
    /// Every rule on a trigger, enabled or not, ordered by ref: what the rules engine
    /// evaluates an event against (one query, no count).
    async fn rules_on_trigger(&self, trigger_ref: &str) -> StoreResult<Vec<Rule>>;
    /// Creates a rule in an existing pack (the pack part of its ref). Registering the pack
    /// again leaves it alone.
    async fn create_rule(&self, rule: &NewRule) -> StoreResult<Rule>;
    /// Replaces a rule's definition (its ref stays).
    async fn update_rule(&self, rule_ref: &str, rule: &NewRule) -> StoreResult<Rule>;
    /// Enables or disables a rule.
    async fn set_rule_enabled(&self, rule_ref: &str, enabled: bool) -> StoreResult<Rule>;
    /// Deletes a rule.
    async fn delete_rule(&self, rule_ref: &str) -> StoreResult<()>;

    /// A policy by ref.
    async fn get_policy(&self, policy_ref: &str) -> StoreResult<Policy>;
    /// Policies, ordered by ref; `action_ref` narrows to one action's.
    async fn list_policies(&self, action_ref: Option<&str>, page: PageRequest) -> StoreResult<Page<Policy>>;
    /// Every enabled policy of an action (the scheduler's question, once per execution).
    async fn action_policies(&self, action_ref: &str) -> StoreResult<Vec<Policy>>;
    /// Creates a policy in an existing pack (the pack part of its ref) on an existing
    /// action. Registering the pack again leaves it alone.
    async fn create_policy(&self, policy: &NewPolicy) -> StoreResult<Policy>;
    /// Replaces a policy's definition (its ref stays).
    async fn update_policy(&self, policy_ref: &str, policy: &NewPolicy) -> StoreResult<Policy>;
    /// Deletes a policy; executions it queued are admitted by the policies left.
    async fn delete_policy(&self, policy_ref: &str) -> StoreResult<()>;

    /// A workflow definition by ref.
    async fn get_workflow_definition(&self, workflow_ref: &str) -> StoreResult<WorkflowDefinition>;
    /// Workflow definitions, ordered by ref.
    async fn list_workflow_definitions(
        &self,
        filter: &ComponentFilter,
        page: PageRequest,
    ) -> StoreResult<Page<WorkflowDefinition>>;
}
