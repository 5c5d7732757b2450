//! Guarded identity changes: updating, deleting or unassigning is refused, with nothing
//! changed, when it would leave no enabled identity holding a permission set that one held;
//! concurrent guarded changes cannot each remove one of the last two holders.

use std::sync::Arc;

use attune_domain::identity::Identity;
use attune_store::{IdentityPatch, StoreError};
use futures::future::join_all;
use tokio::sync::Barrier;

use crate::support::*;

conformance_tests!(
    the_last_enabled_holder_cannot_be_removed,
    a_disabled_holder_does_not_count,
    sets_without_holders_guard_nothing,
    of_two_concurrent_removals_of_the_last_two_holders_one_is_refused,
);

async fn holder(store: &TestStore, login: &str) -> Identity {
    let identity = store.create_identity(&new_identity(login)).await.unwrap();
    store.assign_permission_set(identity.id, "admin").await.unwrap();
    identity
}

fn disable() -> IdentityPatch {
    IdentityPatch { enabled: Some(false), ..IdentityPatch::default() }
}

async fn the_last_enabled_holder_cannot_be_removed(store: &TestStore) {
    store.upsert_permission_set(&permission_set("admin")).await.unwrap();
    let ada = holder(store, "ada").await;
    assert_conflict(store.unassign_permission_set_keeping(ada.id, "admin", "admin").await);
    assert_conflict(store.delete_identity_keeping(ada.id, "admin").await);
    assert_conflict(store.update_identity_keeping(ada.id, &disable(), "admin").await);
    let unchanged = store.get_identity(ada.id).await.unwrap();
    assert_eq!(unchanged, ada, "nothing changed");
    assert_eq!(refs_of(store.identity_permission_sets(ada.id).await.unwrap()), ["admin"]);

    let rename = IdentityPatch { display_name: Some("Ada L.".into()), ..IdentityPatch::default() };
    let renamed = store.update_identity_keeping(ada.id, &rename, "admin").await.unwrap();
    assert_eq!(renamed.display_name.as_deref(), Some("Ada L."));
    assert_not_found(store.assign_permission_set(ada.id, "auditors").await);
    store.upsert_permission_set(&permission_set("auditors")).await.unwrap();
    store.assign_permission_set(ada.id, "auditors").await.unwrap();
    assert!(store.unassign_permission_set_keeping(ada.id, "auditors", "admin").await.unwrap());
    assert!(!store.unassign_permission_set_keeping(ada.id, "auditors", "admin").await.unwrap());

    let bob = holder(store, "bob").await;
    assert!(store.unassign_permission_set_keeping(ada.id, "admin", "admin").await.unwrap());
    assert_conflict(store.delete_identity_keeping(bob.id, "admin").await);
    store.assign_permission_set(ada.id, "admin").await.unwrap();
    store.delete_identity_keeping(bob.id, "admin").await.unwrap();
    assert_not_found(store.get_identity(bob.id).await);
    assert_not_found(store.delete_identity_keeping(bob.id, "admin").await);
    assert_not_found(store.update_identity_keeping(bob.id, &disable(), "admin").await);
}

async fn a_disabled_holder_does_not_count(store: &TestStore) {
    store.upsert_permission_set(&permission_set("admin")).await.unwrap();
    let ada = holder(store, "ada").await;
    let bob = holder(store, "bob").await;
    store.update_identity_keeping(bob.id, &disable(), "admin").await.unwrap();
    assert_conflict(store.delete_identity_keeping(ada.id, "admin").await);
    let enable = IdentityPatch { enabled: Some(true), ..IdentityPatch::default() };
    store.update_identity_keeping(bob.id, &enable, "admin").await.unwrap();
    store.update_identity_keeping(ada.id, &disable(), "admin").await.unwrap();
    assert!(!store.get_identity(ada.id).await.unwrap().enabled);
}

async fn sets_without_holders_guard_nothing(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    store.update_identity_keeping(ada.id, &disable(), "admin").await.unwrap();
    store.upsert_permission_set(&permission_set("admin")).await.unwrap();
    store.delete_identity_keeping(ada.id, "admin").await.unwrap();
}

async fn of_two_concurrent_removals_of_the_last_two_holders_one_is_refused(store: &TestStore) {
    store.upsert_permission_set(&permission_set("admin")).await.unwrap();
    for round in 0..4 {
        let pair = [holder(store, &format!("a{round}")).await, holder(store, &format!("b{round}")).await];
        let start = Arc::new(Barrier::new(2));
        let removals = pair.iter().map(|identity| {
            let (store, start, id) = (store.shared(), Arc::clone(&start), identity.id);
            tokio::spawn(async move {
                start.wait().await;
                store.unassign_permission_set_keeping(id, "admin", "admin").await
            })
        });
        let outcomes: Vec<_> = join_all(removals).await.into_iter().map(Result::unwrap).collect();
        let removed = outcomes.iter().filter(|o| matches!(o, Ok(true))).count();
        let refused = outcomes.iter().filter(|o| matches!(o, Err(StoreError::Conflict(_)))).count();
        assert_eq!((removed, refused), (1, 1), "round {round}: {outcomes:?}");
        // Clear the survivor (unguarded), so that each round starts from two holders.
        for identity in &pair {
            store.unassign_permission_set(identity.id, "admin").await.unwrap();
        }
    }
}

fn refs_of(sets: Vec<attune_domain::identity::PermissionSet>) -> Vec<String> {
    sets.into_iter().map(|s| s.r#ref).collect()
}
