//! Inquiries: asked pending, answered or closed only while pending, listed, deleted.

use attune_domain::status::InquiryStatus;
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
);

async fn creates_a_pending_inquiry(store: &TestStore) {
    store.register_pack(&sample_bundle("sample")).await.unwrap();
    let execution = store.create_execution(&new_execution("sample.deploy")).await.unwrap();
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let mut declared = new_inquiry(Some(execution.id));
    declared.assigned_to = Some(ada.id);

    let inquiry = store.create_inquiry(&declared).await.unwrap();
    assert_eq!((inquiry.execution, inquiry.assigned_to), (Some(execution.id), Some(ada.id)));
    assert_eq!((inquiry.prompt.as_str(), inquiry.status), ("Ship it?", InquiryStatus::Pending));
    assert_eq!((inquiry.response_schema.clone(), inquiry.timeout_at), (declared.response_schema, declared.timeout_at));
    assert_eq!((inquiry.response.clone(), inquiry.responded_at), (None, None));
    assert_eq!(store.get_inquiry(inquiry.id).await.unwrap(), inquiry);
}

async fn inquiries_of_unknown_executions_are_refused(store: &TestStore) {
    assert_unknown_reference(store.create_inquiry(&new_inquiry(Some(i64::MAX))).await);
    let mut unknown_assignee = new_inquiry(None);
    unknown_assignee.assigned_to = Some(i64::MAX);
    assert_unknown_reference(store.create_inquiry(&unknown_assignee).await);
    assert_eq!(store.list_inquiries(None, all()).await.unwrap().total, 0);
}

async fn responds_only_while_pending(store: &TestStore) {
    let inquiry = store.create_inquiry(&new_inquiry(None)).await.unwrap();
    let before = now();
    let answered = store.respond_inquiry(inquiry.id, &json!({"ok": true})).await.unwrap();
    let answered = answered.expect("a pending inquiry takes an answer");
    assert_eq!((answered.status, answered.response.clone()), (InquiryStatus::Responded, Some(json!({"ok": true}))));
    assert!(answered.responded_at.is_some_and(|at| at >= before));
    assert_eq!((answered.prompt.as_str(), answered.created), (inquiry.prompt.as_str(), inquiry.created));

    assert_eq!(store.respond_inquiry(inquiry.id, &json!({"ok": false})).await.unwrap(), None);
    assert_eq!(store.close_inquiry(inquiry.id, InquiryStatus::Cancelled).await.unwrap(), None);
    assert_eq!(store.get_inquiry(inquiry.id).await.unwrap(), answered);
}

async fn closes_only_while_pending(store: &TestStore) {
    for status in [InquiryStatus::Timeout, InquiryStatus::Cancelled] {
        let inquiry = store.create_inquiry(&new_inquiry(None)).await.unwrap();
        let closed = store.close_inquiry(inquiry.id, status).await.unwrap().expect("a pending inquiry closes");
        assert_eq!((closed.status, closed.response.clone(), closed.responded_at), (status, None, None));
        assert_eq!(store.respond_inquiry(inquiry.id, &json!({"ok": true})).await.unwrap(), None);
        assert_eq!(store.close_inquiry(inquiry.id, InquiryStatus::Timeout).await.unwrap(), None);
        assert_eq!(store.get_inquiry(inquiry.id).await.unwrap(), closed);
    }
}

async fn lists_inquiries_newest_first_by_status(store: &TestStore) {
    let mut asked = Vec::new();
    for _ in 0..4 {
        asked.push(store.create_inquiry(&new_inquiry(None)).await.unwrap().id);
    }
    store.respond_inquiry(asked[1], &json!({"ok": true})).await.unwrap().unwrap();
    store.close_inquiry(asked[2], InquiryStatus::Timeout).await.unwrap().unwrap();
    let list = async |status: Option<InquiryStatus>| {
        let page = store.list_inquiries(status, all()).await.unwrap();
        assert_eq!(page.total as usize, page.items.len());
        ids(&page.items, |i| i.id)
    };

    assert_eq!(list(None).await, [asked[3], asked[2], asked[1], asked[0]]);
    assert_eq!(list(Some(InquiryStatus::Pending)).await, [asked[3], asked[0]]);
    assert_eq!(list(Some(InquiryStatus::Responded)).await, [asked[1]]);
    assert_eq!(list(Some(InquiryStatus::Timeout)).await, [asked[2]]);
    assert!(list(Some(InquiryStatus::Cancelled)).await.is_empty());
    let second = store.list_inquiries(None, page(2, 3)).await.unwrap();
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
    assert_not_found(store.respond_inquiry(42, &json!({"ok": true})).await);
    assert_not_found(store.close_inquiry(42, InquiryStatus::Timeout).await);
}
