//! Rules managed through the API: the same checks as rules from pack files.

use attune_domain::page::{Page, PageRequest};
use attune_domain::rule::{NewRule, Rule};
use attune_params::FieldError;
use attune_store::RuleFilter;

use crate::{Platform, ServiceError, ServiceResult};

/// Creates a rule in an existing pack (the pack part of its ref).
pub async fn create(platform: &Platform, rule: NewRule) -> ServiceResult<Rule> {
    check(platform, &rule).await?;
    Ok(platform.store.create_rule(&rule).await?)
}

/// Replaces a rule's definition; its ref stays.
pub async fn update(platform: &Platform, rule_ref: &str, rule: NewRule) -> ServiceResult<Rule> {
    platform.store.get_rule(rule_ref).await?;
    if rule.r#ref != rule_ref {
        return Err(ServiceError::field(
            "ref",
            format!("a rule's ref cannot change ('{rule_ref}' → '{}')", rule.r#ref),
        ));
    }
    check(platform, &rule).await?;
    Ok(platform.store.update_rule(rule_ref, &rule).await?)
}

/// Enables or disables a rule.
pub async fn set_enabled(platform: &Platform, rule_ref: &str, enabled: bool) -> ServiceResult<Rule> {
    Ok(platform.store.set_rule_enabled(rule_ref, enabled).await?)
}

/// Deletes a rule; its enforcements keep their history.
pub async fn delete(platform: &Platform, rule_ref: &str) -> ServiceResult<()> {
    Ok(platform.store.delete_rule(rule_ref).await?)
}

/// One rule.
pub async fn get(platform: &Platform, rule_ref: &str) -> ServiceResult<Rule> {
    Ok(platform.store.get_rule(rule_ref).await?)
}

/// Rules, ordered by ref.
pub async fn list(platform: &Platform, filter: &RuleFilter, page: PageRequest) -> ServiceResult<Page<Rule>> {
    Ok(platform.store.list_rules(filter, page).await?)
}

/// The checks of [`attune_packs::references::check_rule`], as a validation error listing
/// each problem under the field it is about.
async fn check(platform: &Platform, rule: &NewRule) -> ServiceResult<()> {
    let mut problems = attune_packs::references::check_rule(platform.store.as_ref(), rule).await?;
    if let Err(error) = attune_rule_engine::check(&rule.action_params) {
        problems.push(format!("{}: {}", error.at, error.message));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let fields = problems
        .iter()
        .map(|problem| {
            let (field, message) = problem.split_once(": ").unwrap_or(("", problem));
            let field = field.split('.').next().unwrap_or(field);
            FieldError { field: field.to_owned(), message: message.to_owned() }
        })
        .collect();
    Err(ServiceError::Validation { message: format!("invalid rule {}: {}", rule.r#ref, problems.join("; ")), fields })
}
