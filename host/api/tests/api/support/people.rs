//! Identities for access tests: made in the store, with access tokens issued directly (no
//! password hashing, no login round trip).

use serde_json::json;

use super::TestApi;
use attune_domain::identity::NewIdentity;

impl TestApi {
    /// Creates identity `login` (without a password) holding the permission sets `sets`,
    /// and returns an access token of it.
    pub async fn identity_with(&self, login: &str, sets: &[&str]) -> String {
        let store = &self.platform.store;
        let identity = store
            .create_identity(&NewIdentity {
                login: login.into(),
                display_name: None,
                password_hash: None,
                attributes: json!({}),
            })
            .await
            .unwrap();
        for set in sets {
            store.assign_permission_set(identity.id, set).await.unwrap();
        }
        self.platform.tokens.issue(identity.id, login).access_token
    }
}
