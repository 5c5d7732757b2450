//! The rules engine: one event against every rule on its trigger.
//!
//! A rule matches when its `trigger_parameters` agree with the event's (every key the rule
//! sets has the same value in the event's `config.trigger_parameters`, so a rule on webhook
//! `alerts` ignores posts to other webhooks) and all its criteria hold. Each match is
//! recorded as an enforcement; the rule's parameters are rendered and an execution is
//! requested through the same path as a manual one (schema validation, sealing of secrets).
//! A failure to render or validate ends the enforcement with a readable reason.
//!
//! Processing is idempotent, so a re-driven event is harmless: a rule enforces an event at
//! most once (a store constraint), an enforcement that already produced an execution is not
//! turned into another, and the event is marked processed last.

use async_trait::async_trait;
use attune_domain::event::{Enforcement, Event, NewEnforcement};
use attune_domain::execution::ExecutionFilter;
use attune_domain::identity::Verb;
use attune_domain::page::PageRequest;
use attune_domain::rule::Rule;
use attune_domain::status::{EnforcementCondition, EnforcementStatus, KeyOwnerType};
use attune_domain::{Id, Json};
use attune_rule_engine::{EventView, KvLookup, KvValue, TemplateContext, evaluate, render};
use attune_store::{EnforcementFilter, StoreError};

use crate::executions::{self, ExecutionRequest};
use crate::rbac::{Need, Permissions};
use crate::secret_params::holding;
use crate::{Platform, ServiceError, ServiceResult};

/// Evaluates every rule on the event's trigger, unless that was done already. Returns the
/// number of rules that matched.
pub async fn process_event(platform: &Platform, event_id: Id) -> ServiceResult<usize> {
    let event = match platform.store.get_event(event_id).await {
        Ok(event) => event,
        Err(StoreError::NotFound { .. }) => return Ok(0),
        Err(other) => return Err(other.into()),
    };
    if event.processed.is_some() {
        return Ok(0);
    }
    let view = EventView {
        id: event.id,
        trigger: event.trigger_ref.clone(),
        created: event.created.to_rfc3339(),
        payload: event.payload.clone(),
    };
    let mut matched = 0;
    // Every rule on the trigger, enabled or not (a disabled rule that matches is recorded).
    for rule in platform.store.rules_on_trigger(&event.trigger_ref).await? {
        if enforce(platform, &event, &view, &rule).await? {
            matched += 1;
        }
    }
    platform.store.mark_event_processed(event.id).await?;
    Ok(matched)
}

/// Whether every trigger parameter the rule sets has the same value in the event.
fn trigger_parameters_agree(rule: &Json, event_config: &Json) -> bool {
    let Some(wanted) = rule.as_object() else { return true };
    let given = &event_config["trigger_parameters"];
    wanted.iter().all(|(key, value)| given.get(key) == Some(value))
}

/// One rule against one event; returns whether it matched.
async fn enforce(platform: &Platform, event: &Event, view: &EventView, rule: &Rule) -> ServiceResult<bool> {
    if !trigger_parameters_agree(&rule.trigger_params, &event.config) {
        return Ok(false);
    }
    let failure = match evaluate(&rule.criteria, view) {
        Ok(true) => None,
        Ok(false) => return Ok(false),
        Err(error) => Some(format!("criteria cannot be evaluated: {error}")),
    };
    let status = if rule.enabled { EnforcementStatus::Created } else { EnforcementStatus::Disabled };
    let Some(Recorded { enforcement, earlier }) = record(platform, event, rule, status).await? else {
        return Ok(true);
    };
    if enforcement.status != EnforcementStatus::Created {
        return Ok(true);
    }
    if let Some(reason) = failure {
        return finish(platform, &enforcement, Some(&reason)).await.map(|_| true);
    }
    // Processed before, up to requesting the execution: do not request a second one.
    let requested = ExecutionFilter { enforcement: Some(enforcement.id), ..ExecutionFilter::default() };
    if earlier && platform.store.list_executions(&requested, PageRequest::new(1, 1)).await?.total > 0 {
        return finish(platform, &enforcement, None).await.map(|_| true);
    }
    let reason = match run_action(platform, event, view, rule, enforcement.id).await {
        Ok(()) => None,
        Err(ServiceError::Validation { message, .. }) => Some(message),
        Err(ServiceError::NotFound { entity, key }) => Some(format!("{entity} '{key}' does not exist")),
        Err(ServiceError::BadRequest(message)) => Some(message),
        Err(other) => return Err(other),
    };
    finish(platform, &enforcement, reason.as_deref()).await.map(|_| true)
}

/// An enforcement, and whether an earlier attempt at the event left it (then it may have
/// requested its execution already; one created just now cannot have).
struct Recorded {
    enforcement: Enforcement,
    earlier: bool,
}

/// The enforcement of `rule` for `event`: created now, or the one a previous attempt left.
async fn record(
    platform: &Platform,
    event: &Event,
    rule: &Rule,
    status: EnforcementStatus,
) -> ServiceResult<Option<Recorded>> {
    let new = NewEnforcement {
        rule_ref: rule.r#ref.clone(),
        trigger_ref: event.trigger_ref.clone(),
        event: Some(event.id),
        config: serde_json::to_value(rule).map_err(|e| ServiceError::Internal(e.to_string()))?,
        status,
        payload: event.payload.clone(),
        condition: EnforcementCondition::All,
        criteria: rule.criteria.clone(),
        reason: None,
    };
    match crate::notify::create_enforcement(platform.store.as_ref(), platform.bus.as_ref(), &new).await {
        Ok(enforcement) => Ok(Some(Recorded { enforcement, earlier: false })),
        Err(StoreError::Conflict(_)) => {
            let filter = EnforcementFilter {
                rule_ref: Some(rule.r#ref.clone()),
                event: Some(event.id),
                ..EnforcementFilter::default()
            };
            let found =
                platform.store.list_enforcements(&filter, PageRequest::new(1, 1)).await?.items.into_iter().next();
            Ok(found.map(|enforcement| Recorded { enforcement, earlier: true }))
        }
        Err(other) => Err(other.into()),
    }
}

/// Renders the rule's parameters and requests the execution. Values the templates read
/// from encrypted keys make the parameters holding them sealed and masked, like secret
/// parameters.
async fn run_action(
    platform: &Platform,
    event: &Event,
    view: &EventView,
    rule: &Rule,
    enforcement: Id,
) -> ServiceResult<()> {
    let pack = platform.store.get_pack(&rule.pack_ref).await?;
    let context = TemplateContext {
        event: view.as_json(),
        pack_config: pack.config,
        rule_ref: rule.r#ref.clone(),
        timestamp: chrono::Utc::now().to_rfc3339(),
    };
    let kv = RuleKv { platform, pack_ref: &rule.pack_ref, author: RuleAuthor::of(platform, rule).await? };
    let rendered = render(&rule.action_params, &context, &kv)
        .await
        .map_err(|e| ServiceError::BadRequest(format!("template error: {e}")))?;
    let seal_also = holding(&rendered.value, &rendered.secrets).into_iter().map(str::to_owned).collect();
    executions::request(
        platform,
        ExecutionRequest {
            action_ref: rule.action_ref.clone(),
            parameters: rendered.value,
            enforcement: Some(enforcement),
            rule_ref: Some(rule.r#ref.clone()),
            trigger_ref: Some(event.trigger_ref.clone()),
            seal_also,
            ..ExecutionRequest::default()
        },
    )
    .await
    .map(|_| ())
}

async fn finish(platform: &Platform, enforcement: &Enforcement, reason: Option<&str>) -> ServiceResult<()> {
    if let Some(reason) = reason {
        tracing::info!(enforcement = enforcement.id, rule = %enforcement.rule_ref, reason, "rule matched; no execution");
    }
    let (store, bus) = (platform.store.as_ref(), platform.bus.as_ref());
    crate::notify::update_enforcement(store, bus, enforcement.id, EnforcementStatus::Processed, reason).await?;
    Ok(())
}

/// Whose access a rule's templates read the datastore with.
enum RuleAuthor {
    /// The rule comes from its pack's files: it reads its own pack's keys only.
    Pack,
    /// The identity that last wrote the rule, with its grants as they are now.
    Identity(Permissions),
    /// Its author is gone or disabled: it reads nothing.
    Gone,
}

impl RuleAuthor {
    async fn of(platform: &Platform, rule: &Rule) -> ServiceResult<Self> {
        let Some(author) = rule.updated_by else { return Ok(RuleAuthor::Pack) };
        match platform.store.get_identity(author).await {
            Ok(identity) if identity.enabled => {
                Ok(RuleAuthor::Identity(Permissions::from_sets(platform.store.identity_permission_sets(author).await?)))
            }
            Ok(_) | Err(StoreError::NotFound { .. }) => Ok(RuleAuthor::Gone),
            Err(other) => Err(other.into()),
        }
    }

    /// Whether the author may read the key `scope`/`owner` (`decrypt`: its value in clear),
    /// as `GET /api/v1/keys/{name}` would let them.
    fn may_read(&self, scope: KeyOwnerType, pack: &str, decrypt: bool) -> bool {
        match self {
            RuleAuthor::Pack => scope == KeyOwnerType::Pack,
            RuleAuthor::Gone => false,
            RuleAuthor::Identity(permissions) => {
                let in_pack = (scope == KeyOwnerType::Pack).then_some(pack);
                let allows = |verb| permissions.allows(Need::new("key", verb).in_pack(in_pack));
                allows(Verb::View) && (!decrypt || allows(Verb::Execute))
            }
        }
    }
}

/// `kv("name")` in a rule's templates: the rule's pack's key, else the system key of that
/// name, when the rule's author may read it (see [`RuleAuthor`]). A value from an encrypted
/// key is decrypted and reported secret.
struct RuleKv<'a> {
    platform: &'a Platform,
    pack_ref: &'a str,
    author: RuleAuthor,
}

#[async_trait]
impl KvLookup for RuleKv<'_> {
    async fn get(&self, name: &str) -> Result<Option<KvValue>, String> {
        for (owner_type, owner) in [(KeyOwnerType::Pack, self.pack_ref), (KeyOwnerType::System, "")] {
            match self.platform.store.get_key(owner_type, owner, name).await {
                Ok(key) if !self.author.may_read(owner_type, self.pack_ref, key.encrypted) => {
                    let whose = match self.author {
                        RuleAuthor::Pack => "a rule from pack files reads only its own pack's keys",
                        RuleAuthor::Gone => "the rule's author no longer exists or is disabled",
                        RuleAuthor::Identity(_) => "the rule's author may not read it",
                    };
                    return Err(format!("{whose} ({owner_type} key)"));
                }
                Ok(key) if key.encrypted => {
                    return self
                        .platform
                        .cipher
                        .decrypt(&key.value)
                        .map(|v| Some(KvValue::secret(v)))
                        .map_err(|e| e.to_string());
                }
                Ok(key) => return Ok(Some(KvValue::plain(key.value))),
                Err(StoreError::NotFound { .. }) => continue,
                Err(other) => return Err(other.to_string()),
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::trigger_parameters_agree;
    use serde_json::json;

    #[test]
    fn trigger_parameters_must_agree_where_the_rule_sets_them() {
        let event = json!({"trigger_parameters": {"name": "alerts", "extra": 1}});
        assert!(trigger_parameters_agree(&json!({}), &event));
        assert!(trigger_parameters_agree(&json!({"name": "alerts"}), &event));
        assert!(!trigger_parameters_agree(&json!({"name": "other"}), &event));
        assert!(!trigger_parameters_agree(&json!({"name": "alerts"}), &json!({})));
        assert!(trigger_parameters_agree(
            &json!({"unit": "seconds", "interval": 5}),
            &json!({"trigger_parameters": {"unit": "seconds", "interval": 5}})
        ));
    }
}
