//! Credentials: refresh tokens used once (reuse seen, revocation, expiry, concurrent uses)
//! and API keys found by digest, listed, touched and revoked; both go with their identity.

use std::sync::Arc;

use attune_domain::Id;
use attune_domain::credential::{NewApiKey, NewRefreshToken, RefreshUse};
use chrono::TimeDelta;
use futures::future::join_all;
use tokio::sync::Barrier;

use crate::support::*;

conformance_tests!(
    a_refresh_token_is_consumed_once_then_seen_as_reused,
    revoked_and_expired_refresh_tokens_are_invalid,
    exactly_one_of_concurrent_uses_consumes_a_refresh_token,
    refresh_tokens_and_api_keys_go_with_their_identity,
    api_keys_are_found_by_digest_listed_touched_and_revoked,
    api_key_names_are_unique_per_identity_and_digests_everywhere,
    revoking_credentials_moves_the_generation_and_drops_tokens_and_keys_of_that_identity_only,
);

fn refresh_token(jti: &str, identity: Id, ttl: TimeDelta) -> NewRefreshToken {
    NewRefreshToken { jti: jti.to_owned(), identity, expires_at: now() + ttl }
}

fn api_key(identity: Id, name: &str, digest: &str) -> NewApiKey {
    NewApiKey {
        identity,
        name: name.to_owned(),
        prefix: format!("atk_{}", &digest[..8]),
        key_hash: digest.to_owned(),
        expires_at: Some(now() + TimeDelta::days(30)),
    }
}

async fn a_refresh_token_is_consumed_once_then_seen_as_reused(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let recorded = store.record_refresh_token(&refresh_token("jti-1", ada.id, TimeDelta::days(7))).await.unwrap();
    assert_eq!((recorded.jti.as_str(), recorded.identity), ("jti-1", ada.id));
    assert_eq!((recorded.used, recorded.revoked), (None, None));
    assert_conflict(store.record_refresh_token(&refresh_token("jti-1", ada.id, TimeDelta::days(7))).await);

    let RefreshUse::Consumed(used) = store.use_refresh_token("jti-1").await.unwrap() else {
        panic!("an unused token is consumed");
    };
    assert_eq!(used.id, recorded.id);
    assert!(used.used.is_some_and(|at| at >= recorded.created));
    let RefreshUse::Reused(again) = store.use_refresh_token("jti-1").await.unwrap() else {
        panic!("a used token is seen as reused");
    };
    assert_eq!(again.used, used.used, "a reuse changes nothing");
    assert_eq!(store.use_refresh_token("never-issued").await.unwrap(), RefreshUse::Unknown);
}

async fn revoked_and_expired_refresh_tokens_are_invalid(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let bob = store.create_identity(&new_identity("bob")).await.unwrap();
    for jti in ["ada-1", "ada-2"] {
        store.record_refresh_token(&refresh_token(jti, ada.id, TimeDelta::days(7))).await.unwrap();
    }
    store.record_refresh_token(&refresh_token("bob-1", bob.id, TimeDelta::days(7))).await.unwrap();
    store.record_refresh_token(&refresh_token("ada-old", ada.id, TimeDelta::seconds(-1))).await.unwrap();

    assert_eq!(store.use_refresh_token("ada-old").await.unwrap(), RefreshUse::Invalid, "expired");
    assert_eq!(store.revoke_refresh_tokens(ada.id).await.unwrap(), 3);
    assert_eq!(store.revoke_refresh_tokens(ada.id).await.unwrap(), 0, "already revoked");
    assert_eq!(store.use_refresh_token("ada-1").await.unwrap(), RefreshUse::Invalid);
    assert!(
        matches!(store.use_refresh_token("bob-1").await.unwrap(), RefreshUse::Consumed(_)),
        "other identities keep theirs"
    );

    assert_eq!(store.purge_expired_refresh_tokens().await.unwrap(), 1);
    assert_eq!(store.use_refresh_token("ada-old").await.unwrap(), RefreshUse::Unknown, "purged");
    assert_eq!(store.use_refresh_token("ada-2").await.unwrap(), RefreshUse::Invalid, "unexpired rows stay");
}

async fn exactly_one_of_concurrent_uses_consumes_a_refresh_token(store: &TestStore) {
    const RACERS: usize = 8;
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    for round in 0..4 {
        let jti = format!("jti-{round}");
        store.record_refresh_token(&refresh_token(&jti, ada.id, TimeDelta::days(7))).await.unwrap();
        let start = Arc::new(Barrier::new(RACERS));
        let uses = (0..RACERS).map(|_| {
            let (store, start, jti) = (store.shared(), Arc::clone(&start), jti.clone());
            tokio::spawn(async move {
                start.wait().await;
                store.use_refresh_token(&jti).await.expect("a use consumes or sees a reuse; it never fails")
            })
        });
        let outcomes: Vec<RefreshUse> = join_all(uses).await.into_iter().map(Result::unwrap).collect();
        let consumed = outcomes.iter().filter(|o| matches!(o, RefreshUse::Consumed(_))).count();
        let reused = outcomes.iter().filter(|o| matches!(o, RefreshUse::Reused(_))).count();
        assert_eq!((consumed, reused), (1, RACERS - 1), "round {round}: {outcomes:?}");
    }
}

async fn refresh_tokens_and_api_keys_go_with_their_identity(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    store.record_refresh_token(&refresh_token("jti-1", ada.id, TimeDelta::days(7))).await.unwrap();
    store.create_api_key(&api_key(ada.id, "ci", &"a".repeat(64))).await.unwrap();
    store.delete_identity(ada.id).await.unwrap();
    assert_eq!(store.use_refresh_token("jti-1").await.unwrap(), RefreshUse::Unknown);
    assert_not_found(store.get_api_key_by_hash(&"a".repeat(64)).await);
    assert!(store.list_api_keys(ada.id).await.unwrap().is_empty());
    assert_unknown_reference(store.record_refresh_token(&refresh_token("jti-2", ada.id, TimeDelta::days(7))).await);
    assert_unknown_reference(store.create_api_key(&api_key(ada.id, "ci", &"b".repeat(64))).await);
}

async fn api_keys_are_found_by_digest_listed_touched_and_revoked(store: &TestStore) {
    let bot = store.create_identity(&new_identity("ci-bot")).await.unwrap();
    let other = store.create_identity(&new_identity("other")).await.unwrap();
    let declared = api_key(bot.id, "deploys", &"d".repeat(64));
    let created = store.create_api_key(&declared).await.unwrap();
    assert_eq!(
        (created.identity, created.name.as_str(), created.prefix.as_str(), created.key_hash.as_str()),
        (bot.id, "deploys", declared.prefix.as_str(), declared.key_hash.as_str())
    );
    assert_eq!((created.expires_at, created.last_used), (declared.expires_at, None));
    assert_eq!(store.get_api_key_by_hash(&"d".repeat(64)).await.unwrap(), created);
    assert_not_found(store.get_api_key_by_hash(&"e".repeat(64)).await);

    let mut never_expires = api_key(bot.id, "backups", &"f".repeat(64));
    never_expires.expires_at = None;
    let second = store.create_api_key(&never_expires).await.unwrap();
    let listed = store.list_api_keys(bot.id).await.unwrap();
    assert_eq!(ids(&listed, |k| k.id), [created.id, second.id], "oldest first");
    assert!(store.list_api_keys(other.id).await.unwrap().is_empty());

    let at = now();
    store.touch_api_key(created.id, at).await.unwrap();
    let touched = store.get_api_key_by_hash(&"d".repeat(64)).await.unwrap();
    assert_eq!((touched.last_used, touched.updated), (Some(at), created.updated), "use is not a change");

    assert_not_found(store.delete_api_key(other.id, created.id).await);
    store.delete_api_key(bot.id, created.id).await.unwrap();
    assert_not_found(store.get_api_key_by_hash(&"d".repeat(64)).await);
    assert_not_found(store.delete_api_key(bot.id, created.id).await);
    assert_eq!(ids(&store.list_api_keys(bot.id).await.unwrap(), |k| k.id), [second.id]);
}

async fn api_key_names_are_unique_per_identity_and_digests_everywhere(store: &TestStore) {
    let bot = store.create_identity(&new_identity("ci-bot")).await.unwrap();
    let other = store.create_identity(&new_identity("other")).await.unwrap();
    store.create_api_key(&api_key(bot.id, "deploys", &"1".repeat(64))).await.unwrap();
    assert_conflict(store.create_api_key(&api_key(bot.id, "deploys", &"2".repeat(64))).await);
    store.create_api_key(&api_key(other.id, "deploys", &"3".repeat(64))).await.unwrap();
    assert_conflict(store.create_api_key(&api_key(other.id, "backups", &"1".repeat(64))).await);
    assert_eq!(store.list_api_keys(bot.id).await.unwrap().len(), 1);
}

async fn revoking_credentials_moves_the_generation_and_drops_tokens_and_keys_of_that_identity_only(store: &TestStore) {
    let ada = store.create_identity(&new_identity("ada")).await.unwrap();
    let bob = store.create_identity(&new_identity("bob")).await.unwrap();
    assert_eq!(ada.token_generation, 0);
    store.record_refresh_token(&refresh_token("ada-1", ada.id, TimeDelta::days(7))).await.unwrap();
    store.record_refresh_token(&refresh_token("bob-1", bob.id, TimeDelta::days(7))).await.unwrap();
    store.create_api_key(&api_key(ada.id, "ci", &"c".repeat(64))).await.unwrap();
    store.create_api_key(&api_key(bob.id, "ci", &"d".repeat(64))).await.unwrap();

    assert_eq!(store.revoke_credentials(ada.id).await.unwrap(), 1);
    assert_eq!(store.revoke_credentials(ada.id).await.unwrap(), 2, "every revocation moves it on");
    assert_eq!(store.get_identity(ada.id).await.unwrap().token_generation, 2);
    assert_eq!(store.use_refresh_token("ada-1").await.unwrap(), RefreshUse::Invalid);
    assert!(store.list_api_keys(ada.id).await.unwrap().is_empty());

    assert_eq!(store.get_identity(bob.id).await.unwrap().token_generation, 0, "others keep theirs");
    assert_eq!(store.list_api_keys(bob.id).await.unwrap().len(), 1);
    assert!(matches!(store.use_refresh_token("bob-1").await.unwrap(), RefreshUse::Consumed(_)));
    assert!(matches!(store.revoke_credentials(9_999).await, Err(attune_store::StoreError::NotFound { .. })));
}
