//! Notices: what just changed, for live views (the API's WebSocket stream).
//!
//! A [`Message`](crate::Message) is work for one consumer; a notice is news for everyone
//! listening. Every subscriber hears every notice broadcast after it subscribed, and a lost
//! notice costs a live view a line, never any work: the store holds the state, and a view
//! that missed something reads it from there.

use attune_domain::Id;
use attune_domain::event::{Enforcement, Event};
use attune_domain::execution::Execution;
use attune_domain::inquiry::Inquiry;
use attune_domain::status::{EnforcementStatus, ExecutionStatus, InquiryStatus};
use serde::{Deserialize, Serialize};

/// Longest output text a notice carries, in bytes; a longer line is cut (on a character
/// boundary) and marked `truncated`. The output route has every line whole.
pub const MAX_NOTICE_TEXT: usize = 16 * 1024;

/// Something that changed. Small, JSON, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Notice {
    /// An execution was requested or moved to another status (every transition, terminal
    /// ones included).
    ExecutionStatus {
        /// The execution.
        execution: Id,
        /// Its action.
        action_ref: String,
        /// The status it is in now.
        status: ExecutionStatus,
        /// The workflow execution it is a task of.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parent: Option<Id>,
    },
    /// A line of an execution's output was stored, secrets masked.
    ExecutionOutput {
        /// The execution.
        execution: Id,
        /// The line's position in the execution's output, from 1 (`seq` of the output
        /// route).
        seq: i64,
        /// `stdout`, `stderr` or `log`.
        stream: String,
        /// The text, at most [`MAX_NOTICE_TEXT`] bytes.
        text: String,
        /// Whether `text` was cut.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        truncated: bool,
    },
    /// An event was recorded.
    EventCreated {
        /// The event.
        event: Id,
        /// Its trigger.
        trigger_ref: String,
    },
    /// An enforcement was recorded, or changed status.
    EnforcementStatus {
        /// The enforcement.
        enforcement: Id,
        /// Its rule.
        rule_ref: String,
        /// The status it is in now.
        status: EnforcementStatus,
    },
    /// A task of a running workflow changed status (`ready`, `running`, `succeeded`,
    /// `failed`).
    WorkflowTask {
        /// The workflow's execution.
        execution: Id,
        /// The workflow (its action's ref).
        action_ref: String,
        /// The task.
        task: String,
        /// Its status now.
        status: String,
    },
    /// An inquiry was created: an execution waits for an answer.
    InquiryCreated {
        /// The inquiry.
        inquiry: Id,
        /// The waiting execution.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        execution: Option<Id>,
    },
    /// An inquiry was closed: answered, timed out or cancelled.
    InquiryClosed {
        /// The inquiry.
        inquiry: Id,
        /// The execution that waited.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        execution: Option<Id>,
        /// How it was closed.
        status: InquiryStatus,
    },
}

impl Notice {
    /// The status an execution is in now.
    pub fn execution_status(execution: &Execution) -> Self {
        Notice::ExecutionStatus {
            execution: execution.id,
            action_ref: execution.action_ref.clone(),
            status: execution.status,
            parent: execution.parent,
        }
    }

    /// Output line `seq` of `execution`, its text cut to [`MAX_NOTICE_TEXT`].
    pub fn execution_output(execution: Id, seq: i64, stream: &str, text: &str) -> Self {
        let truncated = text.len() > MAX_NOTICE_TEXT;
        let text = if truncated { &text[..text.floor_char_boundary(MAX_NOTICE_TEXT)] } else { text };
        Notice::ExecutionOutput { execution, seq, stream: stream.to_owned(), text: text.to_owned(), truncated }
    }

    /// A new event.
    pub fn event_created(event: &Event) -> Self {
        Notice::EventCreated { event: event.id, trigger_ref: event.trigger_ref.clone() }
    }

    /// The status an enforcement is in now.
    pub fn enforcement_status(enforcement: &Enforcement) -> Self {
        Notice::EnforcementStatus {
            enforcement: enforcement.id,
            rule_ref: enforcement.rule_ref.clone(),
            status: enforcement.status,
        }
    }

    /// A new inquiry.
    pub fn inquiry_created(inquiry: &Inquiry) -> Self {
        Notice::InquiryCreated { inquiry: inquiry.id, execution: inquiry.execution }
    }

    /// An inquiry that was closed (its status says how).
    pub fn inquiry_closed(inquiry: &Inquiry) -> Self {
        Notice::InquiryClosed { inquiry: inquiry.id, execution: inquiry.execution, status: inquiry.status }
    }

    /// The kind of entity the notice is about: `execution`, `event`, `enforcement` or
    /// `inquiry` (the resource type that grants name).
    pub fn entity_type(&self) -> &'static str {
        match self {
            Notice::ExecutionStatus { .. } | Notice::ExecutionOutput { .. } | Notice::WorkflowTask { .. } => {
                "execution"
            }
            Notice::EventCreated { .. } => "event",
            Notice::EnforcementStatus { .. } => "enforcement",
            Notice::InquiryCreated { .. } | Notice::InquiryClosed { .. } => "inquiry",
        }
    }

    /// The id of the entity the notice is about.
    pub fn entity_id(&self) -> Id {
        match self {
            Notice::ExecutionStatus { execution, .. }
            | Notice::ExecutionOutput { execution, .. }
            | Notice::WorkflowTask { execution, .. } => *execution,
            Notice::EventCreated { event, .. } => *event,
            Notice::EnforcementStatus { enforcement, .. } => *enforcement,
            Notice::InquiryCreated { inquiry, .. } | Notice::InquiryClosed { inquiry, .. } => *inquiry,
        }
    }

    /// The component behind the entity, when the notice names one: the action of an
    /// execution's status, the trigger of an event, the rule of an enforcement.
    pub fn component_ref(&self) -> Option<&str> {
        match self {
            Notice::ExecutionStatus { action_ref, .. } | Notice::WorkflowTask { action_ref, .. } => Some(action_ref),
            Notice::EventCreated { trigger_ref, .. } => Some(trigger_ref),
            Notice::EnforcementStatus { rule_ref, .. } => Some(rule_ref),
            Notice::ExecutionOutput { .. } | Notice::InquiryCreated { .. } | Notice::InquiryClosed { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_are_tagged_json_without_empty_fields() {
        let status = Notice::ExecutionStatus {
            execution: 7,
            action_ref: "core.echo".into(),
            status: ExecutionStatus::Running,
            parent: None,
        };
        let text = serde_json::to_string(&status).unwrap();
        assert_eq!(text, r#"{"type":"execution_status","execution":7,"action_ref":"core.echo","status":"running"}"#);
        assert_eq!(serde_json::from_str::<Notice>(&text).unwrap(), status);

        let line = Notice::execution_output(7, 3, "stdout", "hello");
        assert_eq!(
            serde_json::to_string(&line).unwrap(),
            r#"{"type":"execution_output","execution":7,"seq":3,"stream":"stdout","text":"hello"}"#
        );
        let closed = Notice::InquiryClosed { inquiry: 2, execution: Some(7), status: InquiryStatus::Responded };
        assert_eq!(
            serde_json::to_string(&closed).unwrap(),
            r#"{"type":"inquiry_closed","inquiry":2,"execution":7,"status":"responded"}"#
        );
        assert_eq!((closed.entity_type(), closed.entity_id(), closed.component_ref()), ("inquiry", 2, None));
    }

    #[test]
    fn long_output_is_cut_on_a_character_boundary() {
        let text = "é".repeat(MAX_NOTICE_TEXT);
        let Notice::ExecutionOutput { text: cut, truncated, .. } = Notice::execution_output(1, 1, "stdout", &text)
        else {
            unreachable!()
        };
        assert!(truncated);
        assert_eq!(cut.len(), MAX_NOTICE_TEXT);
        assert!(text.starts_with(&cut));
    }
}
