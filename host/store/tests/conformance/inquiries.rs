//! Inquiries: asked pending, answered or closed only while pending, listed, deleted.

use attune_domain::execution::ExecutionPatch;
use attune_domain::inquiry::{Assignees, InquiryFilter};
use attune_domain::status::{ExecutionStatus, InquiryStatus};
use serde_json::json;

use crate::support::*;

conformance_tests!(
    creates_a_pending_inquiry,
    inquiries_of_unknown_executions_are_refused,
    responds_only_while_pending,
    closes_only_while_pending,
    lists_inquiries_newest_first_by_status,
    deletes_an_inquiry,
    missing_inquiries_are_not_found,
    an_execution_asks_once,
    lists_the_inquiries_assigned_to_someone,
    lists_the_inquiries_whose_execution_still_waits_for_nothing,
);

async fn an_execution_asks_once(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    let first = store.create_inquiry(&new_inquiry(Some(execution.id))).await.unwrap();
    let mut again = new_inquiry(Some(execution.id));
    again.prompt = "Asked twice?".into();
    let second = store.create_inquiry(&again).await.unwrap();
    assert_eq!(second, first, "asking again finds the first question");
    assert_eq!(store.inquiry_of_execution(execution.id).await.unwrap(), Some(first));
    assert_eq!(store.list_inquiries(&InquiryFilter::default(), all()).await.unwrap().total, 1);
}

async fn lists_the_inquiries_assigned_to_someone(store: &TestStore) {
    let ask = async |identities: &[&str], sets: &[&str]| {
        let mut inquiry = new_inquiry(None);
        inquiry.assignees = Assignees {
            identities: identities.iter().map(|s| s.to_string()).collect(),
            permission_sets: sets.iter().map(|s| s.to_string()).collect(),
        };
        store.create_inquiry(&inquiry).await.unwrap().id
    };
    let to_ada = ask(&["ada"], &[]).await;
    let to_operators = ask(&[], &["operator"]).await;
    let to_both = ask(&["ada", "bob"], &["operator"]).await;
    let to_nobody = ask(&[], &[]).await;
    let mine = async |login: &str, sets: &[&str]| {
        let filter = InquiryFilter {
            assignee: Some((login.to_owned(), sets.iter().map(|s| s.to_string()).collect())),
            ..InquiryFilter::default()
        };
        let page = store.list_inquiries(&filter, all()).await.unwrap();
        assert_eq!(page.total as usize, page.items.len());
        ids(&page.items, |i| i.id)
    };
    assert_eq!(mine("ada", &[]).await, [to_both, to_ada]);
    assert_eq!(mine("bob", &["operator"]).await, [to_both, to_operators]);
    assert_eq!(mine("cy", &["operator", "viewer"]).await, [to_both, to_operators]);
    assert!(mine("cy", &["viewer"]).await.is_empty());
    let all_of_them = store.list_inquiries(&InquiryFilter::default(), all()).await.unwrap();
    assert_eq!(ids(&all_of_them.items, |i| i.id), [to_nobody, to_both, to_operators, to_ada]);
}

async fn lists_the_inquiries_whose_execution_still_waits_for_nothing(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let waiting = async |timeout_in: chrono::TimeDelta| {
        let execution = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
        let patch = ExecutionPatch::default();
        for (from, to) in [
            (ExecutionStatus::Requested, ExecutionStatus::Scheduling),
            (ExecutionStatus::Scheduling, ExecutionStatus::Pending),
        ] {
            store.transition_execution(execution.id, &[from], to, &patch).await.unwrap().unwrap();
        }
        let mut inquiry = new_inquiry(Some(execution.id));
        inquiry.timeout_at = Some(now() + timeout_in);
        store.create_inquiry(&inquiry).await.unwrap()
    };
    let in_time = waiting(chrono::TimeDelta::hours(1)).await;
    let overdue = waiting(chrono::TimeDelta::seconds(-5)).await;
    let answered = waiting(chrono::TimeDelta::hours(1)).await;
    store.respond_inquiry(answered.id, &json!({"ok": true}), "ada").await.unwrap().unwrap();

    let unsettled = store.list_unsettled_inquiries(now(), 10).await.unwrap();
    assert_eq!(ids(&unsettled, |i| i.id), [overdue.id, answered.id], "{in_time:?} still has time");
}

async fn creates_a_pending_inquiry(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let mut declared = new_inquiry(Some(execution.id));
    declared.assignees = Assignees { identities: vec![ada.login.clone()], permission_sets: vec!["operator".into()] };

    let inquiry = store.create_inquiry(&declared).await.unwrap();
    assert_eq!((inquiry.execution, &inquiry.assignees), (Some(execution.id), &declared.assignees));
    assert_eq!(inquiry.pack_ref.as_deref(), Some("sample"));
    assert_eq!((inquiry.prompt.as_str(), inquiry.status), ("Ship it?", InquiryStatus::Pending));
    assert_eq!((inquiry.response_schema.clone(), inquiry.timeout_at), (declared.response_schema, declared.timeout_at));
    assert_eq!((inquiry.response.clone(), inquiry.responded_at), (None, None));
    assert_eq!(store.get_inquiry(inquiry.id).await.unwrap(), inquiry);
}

async fn inquiries_of_unknown_executions_are_refused(store: &TestStore) {
    assert_unknown_reference(store.create_inquiry(&new_inquiry(Some(i64::MAX))).await);
    assert_eq!(store.list_inquiries(&InquiryFilter::default(), all()).await.unwrap().total, 0);
}

async fn responds_only_while_pending(store: &TestStore) {
    let inquiry = store.create_inquiry(&new_inquiry(None)).await.unwrap();
    let before = now();
    let answered = store.respond_inquiry(inquiry.id, &json!({"ok": true}), "ada").await.unwrap();
    let answered = answered.expect("a pending inquiry takes an answer");
    assert_eq!((answered.status, answered.response.clone()), (InquiryStatus::Responded, Some(json!({"ok": true}))));
    assert!(answered.responded_at.is_some_and(|at| at >= before));
    assert_eq!((answered.prompt.as_str(), answered.created), (inquiry.prompt.as_str(), inquiry.created));
    assert_eq!(answered.responded_by.as_deref(), Some("ada"));

    assert_eq!(store.respond_inquiry(inquiry.id, &json!({"ok": false}), "ada").await.unwrap(), None);
    assert_eq!(store.close_inquiry(inquiry.id, InquiryStatus::Cancelled).await.unwrap(), None);
    assert_eq!(store.get_inquiry(inquiry.id).await.unwrap(), answered);
}

async fn closes_only_while_pending(store: &TestStore) {
    for status in [InquiryStatus::Timeout, InquiryStatus::Cancelled] {
        let inquiry = store.create_inquiry(&new_inquiry(None)).await.unwrap();
        let closed = store.close_inquiry(inquiry.id, status).await.unwrap().expect("a pending inquiry closes");
        assert_eq!((closed.status, closed.response.clone(), closed.responded_at), (status, None, None));
        assert_eq!(store.respond_inquiry(inquiry.id, &json!({"ok": true}), "ada").await.unwrap(), None);
        assert_eq!(store.close_inquiry(inquiry.id, InquiryStatus::Timeout).await.unwrap(), None);
        assert_eq!(store.get_inquiry(inquiry.id).await.unwrap(), closed);
    }
}

async fn lists_inquiries_newest_first_by_status(store: &TestStore) {
    let mut asked = Vec::new();
    for _ in 0..4 {
        asked.push(store.create_inquiry(&new_inquiry(None)).await.unwrap().id);
    }
    store.respond_inquiry(asked[1], &json!({"ok": true}), "ada").await.unwrap().unwrap();
    store.close_inquiry(asked[2], InquiryStatus::Timeout).await.unwrap().unwrap();
    let list = async |status: Option<InquiryStatus>| {
        let page = store.list_inquiries(&InquiryFilter { status, ..InquiryFilter::default() }, all()).await.unwrap();
        assert_eq!(page.total as usize, page.items.len());
        ids(&page.items, |i| i.id)
    };

    assert_eq!(list(None).await, [asked[3], asked[2], asked[1], asked[0]]);
    assert_eq!(list(Some(InquiryStatus::Pending)).await, [asked[3], asked[0]]);
    assert_eq!(list(Some(InquiryStatus::Responded)).await, [asked[1]]);
    assert_eq!(list(Some(InquiryStatus::Timeout)).await, [asked[2]]);
    assert!(list(Some(InquiryStatus::Cancelled)).await.is_empty());
    let second = store.list_inquiries(&InquiryFilter::default(), page(2, 3)).await.unwrap();
    assert_eq!((second.total, ids(&second.items, |i| i.id)), (4, vec![asked[0]]));
}

async fn deletes_an_inquiry(store: &TestStore) {
    let inquiry = store.create_inquiry(&new_inquiry(None)).await.unwrap();
    store.delete_inquiry(inquiry.id).await.unwrap();
    assert_not_found(store.get_inquiry(inquiry.id).await);
    assert_not_found(store.delete_inquiry(inquiry.id).await);
}

async fn missing_inquiries_are_not_found(store: &TestStore) {
    assert_not_found(store.get_inquiry(42).await);
    assert_not_found(store.respond_inquiry(42, &json!({"ok": true}), "ada").await);
    assert_not_found(store.close_inquiry(42, InquiryStatus::Timeout).await);
}
