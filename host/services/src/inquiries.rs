//! Inquiries: an execution asks, a person answers, the execution goes on.
//!
//! - [`ask`] (the executor, for an action of runner type `inquiry`): records the question
//!   and parks the execution `pending`, holding no worker.
//! - [`respond`] (the API): checks who answers and what, records the answer once, and ends
//!   the execution with the answer as its result.
//! - [`settle`] (the API and the reconciler): ends the waiting execution of an inquiry that
//!   has nothing more to wait for — answered, closed, or past its timeout. Every step is a
//!   conditional update, so a step lost to a crash is done by the next reconciliation.

use attune_bus::{Bus, Notice};
use attune_domain::execution::Execution;
use attune_domain::failure::FailureKind;
use attune_domain::identity::Verb;
use attune_domain::inquiry::{Inquiry, InquiryFilter, NewInquiry, Question};
use attune_domain::page::{Page, PageRequest};
use attune_domain::status::{ExecutionStatus, InquiryStatus};
use attune_domain::{Id, Json, Timestamp};
use attune_store::{Store, StoreResult};

use crate::auth::Caller;
use crate::lifecycle::{Ending, Lifecycle};
use crate::notify::broadcast;
use crate::rbac::Need;
use crate::{Platform, ServiceError, ServiceResult};

/// Asks the question of `execution` (in status `scheduling`) and makes it wait `pending`.
/// A question that cannot be read ends the execution `failed`. Asking again (after a crash
/// between the two writes) finds the inquiry already there.
pub async fn ask(store: &dyn Store, bus: &dyn Bus, execution: &Execution) -> StoreResult<Option<Inquiry>> {
    let lifecycle = Lifecycle::new(store, bus);
    let question = Question::from_parameters(&execution.parameters).and_then(|question| {
        attune_params::check_json_schema(&question.schema).map_err(|e| format!("schema: {e}"))?;
        Ok(question)
    });
    let question = match question {
        Ok(question) => question,
        Err(problem) => {
            let ending = Ending::failure(FailureKind::SetupFailed, format!("the question is invalid: {problem}"));
            lifecycle.finish(execution.id, &[ExecutionStatus::Scheduling], ending).await?;
            return Ok(None);
        }
    };
    let new = NewInquiry {
        execution: Some(execution.id),
        pack_ref: crate::rbac::pack_of(&execution.action_ref).map(str::to_owned),
        prompt: question.prompt,
        response_schema: question.schema,
        assignees: question.assigned_to,
        timeout_at: question.timeout_s.map(|s| chrono::Utc::now() + chrono::TimeDelta::seconds(s)),
    };
    let inquiry = store.create_inquiry(&new).await?;
    if lifecycle.wait_for_answer(execution.id).await?.is_some() {
        broadcast(bus, &Notice::inquiry_created(&inquiry)).await;
    }
    Ok(Some(inquiry))
}

/// Ends the waiting execution of `inquiry` when there is nothing more to wait for: the
/// answer becomes its result; no answer in time ends it `timeout`; a withdrawn inquiry
/// ends it `cancelled`. A pending inquiry past its timeout at `now` is closed first.
/// Returns the execution when this call ended it.
pub async fn settle(
    store: &dyn Store,
    bus: &dyn Bus,
    inquiry: &Inquiry,
    now: Timestamp,
) -> StoreResult<Option<Execution>> {
    let mut inquiry = inquiry.clone();
    if inquiry.status == InquiryStatus::Pending {
        let due = inquiry.timeout_at.is_some_and(|at| at <= now);
        if !due {
            return Ok(None);
        }
        match store.close_inquiry(inquiry.id, InquiryStatus::Timeout).await? {
            Some(closed) => {
                broadcast(bus, &Notice::inquiry_closed(&closed)).await;
                inquiry = closed;
            }
            // Answered or closed meanwhile: settle what it is now.
            None => inquiry = store.get_inquiry(inquiry.id).await?,
        }
    }
    let Some(execution) = inquiry.execution else { return Ok(None) };
    let ending = match inquiry.status {
        InquiryStatus::Pending => return Ok(None),
        InquiryStatus::Responded => Ending {
            status: ExecutionStatus::Completed,
            result: inquiry.response.unwrap_or(Json::Null),
            metering: None,
        },
        InquiryStatus::Timeout => Ending::failure(FailureKind::Timeout, "nobody answered the inquiry in time"),
        InquiryStatus::Cancelled => Ending::failure(FailureKind::Cancelled, "the inquiry was withdrawn"),
    };
    Lifecycle::new(store, bus).finish(execution, &[ExecutionStatus::Pending], ending).await
}

/// Answers inquiry `id` as `caller`: only an assignee (by login or permission set) or a
/// holder of `inquiry:respond` on the asking pack may; the answer must satisfy the
/// inquiry's schema (each problem listed, nothing changed); an inquiry is answered once.
pub async fn respond(platform: &Platform, caller: &Caller, id: Id, response: Json) -> ServiceResult<Inquiry> {
    let store = platform.store.as_ref();
    if caller.execution_scope().is_some() {
        return Err(ServiceError::Forbidden("an execution's token cannot answer inquiries".into()));
    }
    let inquiry = match store.get_inquiry(id).await {
        Ok(inquiry) => inquiry,
        // Whether an inquiry exists is told only to those who may answer some.
        Err(attune_store::StoreError::NotFound { .. })
            if !caller.permissions.allows_somewhere("inquiry", Verb::Respond) =>
        {
            return Err(ServiceError::Forbidden("needs respond on inquiry, or to be named as an assignee".into()));
        }
        Err(other) => return Err(other.into()),
    };
    if !may_answer(caller, &inquiry) {
        return Err(ServiceError::Forbidden(format!(
            "inquiry {id} is assigned to others; answering it needs respond on inquiry{}",
            inquiry.pack_ref.as_deref().map(|p| format!(" in pack {p}")).unwrap_or_default()
        )));
    }
    let now = chrono::Utc::now();
    if inquiry.status == InquiryStatus::Pending && inquiry.timeout_at.is_some_and(|at| at <= now) {
        settle(store, platform.bus.as_ref(), &inquiry, now).await?;
        return Err(ServiceError::Conflict(format!("inquiry {id} timed out before it was answered")));
    }
    if inquiry.status != InquiryStatus::Pending {
        return Err(ServiceError::Conflict(format!("inquiry {id} is already {}", inquiry.status)));
    }
    if let Err(fields) = attune_params::check_output(&inquiry.response_schema, &response) {
        let summary = fields.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ");
        return Err(ServiceError::Validation {
            message: format!("the answer does not fit the schema: {summary}"),
            fields,
        });
    }
    let Some(answered) = store.respond_inquiry(id, &response, &caller.login).await? else {
        let now = store.get_inquiry(id).await?;
        return Err(ServiceError::Conflict(format!("inquiry {id} is already {}", now.status)));
    };
    broadcast(platform.bus.as_ref(), &Notice::inquiry_closed(&answered)).await;
    settle(store, platform.bus.as_ref(), &answered, now).await?;
    Ok(answered)
}

/// Whether `caller` may answer `inquiry`.
fn may_answer(caller: &Caller, inquiry: &Inquiry) -> bool {
    let assignees = &inquiry.assignees;
    assignees.identities.contains(&caller.login)
        || caller.permissions.sets().iter().any(|set| assignees.permission_sets.contains(set))
        || caller.can(Need::new("inquiry", Verb::Respond).in_pack(inquiry.pack_ref.as_deref()))
}

/// Withdraws the inquiry of a cancelled execution (the live views hear it closed).
pub async fn withdraw(store: &dyn Store, bus: &dyn Bus, execution: Id) -> StoreResult<()> {
    if let Some(inquiry) = store.inquiry_of_execution(execution).await?
        && let Some(closed) = store.close_inquiry(inquiry.id, InquiryStatus::Cancelled).await?
    {
        broadcast(bus, &Notice::inquiry_closed(&closed)).await;
    }
    Ok(())
}

/// Inquiries, newest first; `mine` narrows to those assigned to the caller (by login or
/// through a permission set they hold).
pub async fn list(
    platform: &Platform,
    caller: &Caller,
    status: Option<InquiryStatus>,
    mine: bool,
    page: PageRequest,
) -> ServiceResult<Page<Inquiry>> {
    let filter =
        InquiryFilter { status, assignee: mine.then(|| (caller.login.clone(), caller.permissions.sets().to_vec())) };
    Ok(platform.store.list_inquiries(&filter, page).await?)
}

/// One inquiry.
pub async fn get(platform: &Platform, id: Id) -> ServiceResult<Inquiry> {
    Ok(platform.store.get_inquiry(id).await?)
}
