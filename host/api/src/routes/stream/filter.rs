//! Which notices a stream client asked for: entity types, one entity id, and whether
//! execution output lines are wanted. Given as query parameters when connecting
//! (`?entity=execution,event&id=42&output=true`) and replaced later by a `subscribe`
//! message carrying the same fields as JSON.

use attune_bus::Notice;
use attune_domain::Id;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// The entity types a stream carries.
pub const ENTITY_TYPES: [&str; 4] = ["execution", "event", "enforcement", "inquiry"];

/// A subscription filter. The default passes every status notice and no output lines.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Entity types wanted (`execution`, `event`, `enforcement`, `inquiry`); empty for all.
    #[serde(default)]
    pub entity: Vec<String>,
    /// Only notices about the entity with this id (of the types above).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// Whether execution output lines are wanted too.
    #[serde(default)]
    pub output: bool,
}

/// The query parameters of a connection: `entity` is comma-separated.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FilterQuery {
    /// Comma-separated entity types (`execution,event,enforcement,inquiry`); all when absent.
    entity: Option<String>,
    /// Only notices about the entity with this id.
    id: Option<Id>,
    /// Whether execution output lines are wanted too.
    output: Option<bool>,
    /// The credential, for clients that cannot set an Authorization header on a WebSocket
    /// request (browsers). The access layer reads it; it is declared here to be accepted and
    /// documented.
    #[serde(rename = "access_token")]
    _access_token: Option<String>,
}

impl TryFrom<FilterQuery> for Filter {
    type Error = ApiError;

    fn try_from(query: FilterQuery) -> Result<Self, ApiError> {
        let entity = query
            .entity
            .map(|list| list.split(',').map(str::trim).filter(|e| !e.is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        Filter { entity, id: query.id, output: query.output.unwrap_or(false) }.checked()
    }
}

impl Filter {
    /// The filter, or a `bad_request` naming an unknown entity type.
    pub fn checked(self) -> Result<Self, ApiError> {
        match self.entity.iter().find(|e| !ENTITY_TYPES.contains(&e.as_str())) {
            Some(unknown) => Err(ApiError::bad_request(format!(
                "unknown entity type '{unknown}' (expected one of {})",
                ENTITY_TYPES.join(", ")
            ))),
            None => Ok(self),
        }
    }

    /// True when `notice` passes.
    pub fn passes(&self, notice: &Notice) -> bool {
        if matches!(notice, Notice::ExecutionOutput { .. }) && !self.output {
            return false;
        }
        let entity = notice.entity_type();
        (self.entity.is_empty() || self.entity.iter().any(|e| e == entity))
            && self.id.is_none_or(|id| id == notice.entity_id())
    }
}

#[cfg(test)]
mod tests {
    use attune_domain::status::ExecutionStatus;

    use super::*;

    fn status(execution: Id) -> Notice {
        Notice::ExecutionStatus {
            execution,
            action_ref: "core.echo".into(),
            status: ExecutionStatus::Running,
            parent: None,
        }
    }

    fn event(id: Id) -> Notice {
        Notice::EventCreated { event: id, trigger_ref: "core.webhook".into() }
    }

    #[test]
    fn the_default_passes_every_status_and_no_output() {
        let all = Filter::default();
        assert!(all.passes(&status(1)));
        assert!(all.passes(&event(2)));
        assert!(!all.passes(&Notice::execution_output(1, 1, "stdout", "hi")));
    }

    #[test]
    fn entity_types_ids_and_output_narrow_it() {
        let query =
            FilterQuery { entity: Some("execution".into()), id: Some(7), output: Some(true), _access_token: None };
        let filter = Filter::try_from(query).unwrap();
        assert!(filter.passes(&status(7)));
        assert!(filter.passes(&Notice::execution_output(7, 3, "stderr", "line")));
        assert!(!filter.passes(&status(8)), "another execution");
        assert!(!filter.passes(&event(7)), "another entity type with the same id");
    }

    #[test]
    fn unknown_entity_types_are_refused_by_name() {
        let query = FilterQuery { entity: Some("execution, widget".into()), ..FilterQuery::default() };
        let error = Filter::try_from(query).unwrap_err();
        assert!(error.message.contains("widget"), "{}", error.message);
    }
}
