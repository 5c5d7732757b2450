//! Execution policies bound to an action: concurrency, rate limits, retries.

use serde::{Deserialize, Serialize};

use crate::status::{ExecutionStatus, PolicyMethod, PolicyType};
use crate::{Id, Json, Timestamp};

/// A registered policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Policy {
    /// Unique id.
    pub id: Id,
    /// Unique ref, `pack.name`.
    #[sqlx(rename = "ref")]
    pub r#ref: String,
    /// Owning pack.
    pub pack: Id,
    /// Owning pack's ref.
    pub pack_ref: String,
    /// The action it governs (none once deleted).
    pub action: Option<Id>,
    /// The action's ref.
    pub action_ref: String,
    /// What it limits.
    pub policy_type: PolicyType,
    /// What happens to executions not admitted now (concurrency, rate limit).
    pub method: Option<PolicyMethod>,
    /// The limit (concurrent executions, executions per window, retries).
    pub threshold: i64,
    /// Count separately per distinct value of these parameters.
    #[sqlx(json)]
    pub parameters: Vec<String>,
    /// Type-specific settings (`window_s`; `delay_s`, `on`).
    pub settings: Json,
    /// Disabled policies are not applied.
    pub enabled: bool,
    /// Declared in its pack's files (false: created through the API, kept when the pack is
    /// registered again).
    pub from_pack: bool,
    /// Created at.
    pub created: Timestamp,
    /// Last changed at.
    pub updated: Timestamp,
}

/// A policy as declared in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewPolicy {
    /// Unique ref.
    pub r#ref: String,
    /// The action's ref.
    pub action_ref: String,
    /// What it limits.
    pub policy_type: PolicyType,
    /// What happens to executions not admitted now.
    pub method: Option<PolicyMethod>,
    /// The limit.
    pub threshold: i64,
    /// Grouping parameters.
    pub parameters: Vec<String>,
    /// Type-specific settings.
    pub settings: Json,
    /// Whether it is applied.
    pub enabled: bool,
}

/// What a policy does, read from its stored columns once.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyRule {
    /// At most `threshold` executions at once (per group).
    Concurrency {
        /// How many may be admitted and unfinished at once.
        threshold: i64,
        /// What happens to the rest.
        method: PolicyMethod,
    },
    /// At most `threshold` admissions per `window_s` seconds (per group).
    RateLimit {
        /// Admissions per window.
        threshold: i64,
        /// The window, in seconds.
        window_s: i64,
        /// What happens to the rest.
        method: PolicyMethod,
    },
    /// Failed or timed-out executions run again.
    Retry(RetryRule),
}

/// When and how often an execution runs again after it failed.
#[derive(Debug, Clone, PartialEq)]
pub struct RetryRule {
    /// Attempts after the first.
    pub count: i64,
    /// Seconds before the first retry.
    pub delay_s: i64,
    /// Double the delay for each further retry.
    pub exponential: bool,
    /// The longest delay, with exponential backoff.
    pub max_delay_s: Option<i64>,
    /// The end statuses that are retried (`failed`, `timeout`).
    pub on: Vec<ExecutionStatus>,
}

impl RetryRule {
    /// Whether an execution that ended `status` on attempt `attempt` runs again.
    pub fn applies(&self, status: ExecutionStatus, attempt: i32) -> bool {
        self.on.contains(&status) && i64::from(attempt) <= self.count
    }

    /// Seconds to wait before attempt `next` (2 is the first retry).
    pub fn delay_before(&self, next: i32) -> i64 {
        if !self.exponential {
            return self.delay_s;
        }
        let doublings = u32::try_from(next.saturating_sub(2)).unwrap_or(0).min(40);
        let delay = self.delay_s.saturating_mul(1_i64 << doublings);
        self.max_delay_s.map_or(delay, |max| delay.min(max))
    }
}

impl Policy {
    /// The rule this policy applies; an error names a stored setting that cannot be read.
    pub fn rule(&self) -> Result<PolicyRule, String> {
        let method = self.method.unwrap_or(PolicyMethod::Enqueue);
        let number = |key: &str| self.settings.get(key).and_then(Json::as_i64);
        Ok(match self.policy_type {
            PolicyType::Concurrency => PolicyRule::Concurrency { threshold: self.threshold, method },
            PolicyType::RateLimit => PolicyRule::RateLimit {
                threshold: self.threshold,
                window_s: number("window_s").ok_or("rate_limit without window_s")?,
                method,
            },
            PolicyType::Retry => {
                let on = match self.settings.get("on") {
                    Some(on) => serde_json::from_value(on.clone()).map_err(|e| format!("retry on: {e}"))?,
                    None => vec![ExecutionStatus::Failed, ExecutionStatus::Timeout],
                };
                PolicyRule::Retry(RetryRule {
                    count: self.threshold,
                    delay_s: number("delay_s").unwrap_or(0),
                    exponential: self.settings.get("backoff").and_then(Json::as_str) == Some("exponential"),
                    max_delay_s: number("max_delay_s"),
                    on,
                })
            }
        })
    }

    /// The group an execution with `parameters` counts in: the values of the policy's
    /// grouping parameters (as JSON), or `""` when it has none. A sealed (secret) value
    /// is not comparable, so every execution counts in one group for it.
    pub fn group_key(&self, parameters: &Json, sealed: &[&str]) -> String {
        if self.parameters.is_empty() {
            return String::new();
        }
        let values: Vec<Json> = self
            .parameters
            .iter()
            .map(|name| {
                if sealed.contains(&name.as_str()) {
                    Json::String("<sealed>".into())
                } else {
                    parameters.get(name).cloned().unwrap_or(Json::Null)
                }
            })
            .collect();
        Json::Array(values).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_backoff_doubles_up_to_its_ceiling() {
        let rule = RetryRule {
            count: 5,
            delay_s: 2,
            exponential: true,
            max_delay_s: Some(10),
            on: vec![ExecutionStatus::Failed],
        };
        let delays: Vec<i64> = (2..=6).map(|next| rule.delay_before(next)).collect();
        assert_eq!(delays, [2, 4, 8, 10, 10]);
        assert!(rule.applies(ExecutionStatus::Failed, 5));
        assert!(!rule.applies(ExecutionStatus::Failed, 6), "five retries, then no more");
        assert!(!rule.applies(ExecutionStatus::Timeout, 1), "timeouts are not in `on`");
    }
}
