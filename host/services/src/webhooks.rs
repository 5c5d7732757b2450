//! Webhooks: named endpoints that turn posts into `core.webhook` events.
//!
//! A post authenticates with an API token, or — for senders that cannot hold one — with an
//! HMAC-SHA256 signature of the raw body made with the webhook's secret, in the header
//! `X-Attune-Signature: sha256=<hex>` (`X-Hub-Signature-256` is accepted too). Any name may
//! be posted to with a token; a signature needs a registered webhook with a secret.
//!
//! A body-only signature can be replayed by whoever sees it once. A sender that also sends
//! `X-Attune-Timestamp: <unix seconds>` signs `<timestamp>.<body>` instead; such a post is
//! accepted only within the webhook's replay window around that time (`replay_window_s`,
//! 300 s unless set) and only once — the signature is remembered in the store until the
//! window has passed, so a replay to any API process is refused. A webhook created with
//! `replay_window_s` accepts only timestamped signatures.
//!
//! Headers that carry credentials are never copied into the event: the rules, actions and
//! viewers that read events must not learn the tokens a sender used.

use std::collections::BTreeMap;

use attune_domain::event::{Event, NewEvent};
use attune_domain::page::{Page, PageRequest};
use attune_domain::refs::validate_name;
use attune_domain::webhook::{NewWebhook, Webhook};
use attune_store::StoreError;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::auth::Caller;
use crate::{Platform, ServiceError, ServiceResult};

/// The trigger webhook posts fire.
pub const WEBHOOK_TRIGGER: &str = "core.webhook";

/// Words that mark a header as carrying a credential (`Authorization`, `Cookie`,
/// `X-Api-Key`, `X-Gitlab-Token`, `X-Hub-Signature-256`, `X-Slack-Signature`...).
const CREDENTIAL_WORDS: &[&str] = &["auth", "cookie", "token", "key", "secret", "signature", "password", "session"];

/// The replay window of timestamped posts to a webhook that sets none.
pub const DEFAULT_REPLAY_WINDOW_S: i64 = 300;

/// Longest replay window a webhook may set.
pub const MAX_REPLAY_WINDOW_S: i64 = 86_400;

/// Whether a header (name lowercased) may carry a credential, and so stays out of events.
pub fn is_credential_header(name: &str) -> bool {
    CREDENTIAL_WORDS.iter().any(|word| name.contains(word))
}

/// How a post proves it may fire the webhook.
#[derive(Debug, Clone)]
pub enum Proof {
    /// A verified API token.
    Caller(Caller),
    /// A signature header value (`sha256=<hex>`).
    Signature(String),
}

/// A post to a webhook.
#[derive(Debug, Clone)]
pub struct Post {
    /// The webhook's name.
    pub name: String,
    /// Request headers, names lowercased.
    pub headers: BTreeMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
}

/// Registers a webhook; its secret (if any) is stored encrypted.
pub async fn create(
    platform: &Platform,
    name: &str,
    description: Option<String>,
    secret: Option<String>,
    replay_window_s: Option<i64>,
) -> ServiceResult<Webhook> {
    validate_name(name).map_err(|e| ServiceError::field("name", e.to_string()))?;
    if secret.as_deref().is_some_and(|s| s.len() < 16) {
        return Err(ServiceError::field("secret", "must be at least 16 characters"));
    }
    match replay_window_s {
        Some(_) if secret.is_none() => {
            return Err(ServiceError::field("replay_window_s", "needs a secret (it applies to signed posts)"));
        }
        Some(window) if !(1..=MAX_REPLAY_WINDOW_S).contains(&window) => {
            return Err(ServiceError::field("replay_window_s", format!("must be 1 to {MAX_REPLAY_WINDOW_S} seconds")));
        }
        _ => {}
    }
    let webhook = NewWebhook {
        name: name.to_owned(),
        description,
        secret: secret.map(|s| platform.cipher.encrypt(&s)),
        enabled: true,
        replay_window_s,
    };
    Ok(platform.store.create_webhook(&webhook).await?)
}

/// Webhooks, by name.
pub async fn list(platform: &Platform, page: PageRequest) -> ServiceResult<Page<Webhook>> {
    Ok(platform.store.list_webhooks(page).await?)
}

/// One webhook.
pub async fn get(platform: &Platform, name: &str) -> ServiceResult<Webhook> {
    Ok(platform.store.get_webhook(name).await?)
}

/// Deletes a webhook.
pub async fn delete(platform: &Platform, name: &str) -> ServiceResult<()> {
    Ok(platform.store.delete_webhook(name).await?)
}

/// Checks the proof, then records a `core.webhook` event with payload `{name, headers, body}`
/// (the body parsed as JSON when sent as JSON).
pub async fn fire(platform: &Platform, post: Post, proof: Option<Proof>) -> ServiceResult<Event> {
    validate_name(&post.name)
        .map_err(|e| ServiceError::NotFound { entity: "webhook", key: format!("{} ({e})", post.name) })?;
    let webhook = match platform.store.get_webhook(&post.name).await {
        Ok(webhook) => Some(webhook),
        Err(StoreError::NotFound { .. }) => None,
        Err(other) => return Err(other.into()),
    };
    if webhook.as_ref().is_some_and(|w| !w.enabled) {
        return Err(ServiceError::Forbidden(format!("webhook '{}' is disabled", post.name)));
    }
    match proof {
        Some(Proof::Caller(_)) => {}
        Some(Proof::Signature(signature)) => verify(platform, webhook.as_ref(), &post, &signature).await?,
        None => {
            return Err(ServiceError::Unauthenticated(
                "a webhook post needs an API token or a signature header (X-Attune-Signature: sha256=<hex>)".into(),
            ));
        }
    }
    let body = parse_body(&post)?;
    let headers: BTreeMap<&String, &String> =
        post.headers.iter().filter(|(name, _)| !is_credential_header(name)).collect();
    let event = NewEvent {
        trigger_ref: WEBHOOK_TRIGGER.into(),
        config: json!({ "trigger_parameters": { "name": post.name } }),
        payload: json!({ "name": post.name, "headers": headers, "body": body }),
        source_ref: None,
    };
    Ok(crate::events::emit(platform.store.as_ref(), platform.bus.as_ref(), &event).await?)
}

async fn verify(platform: &Platform, webhook: Option<&Webhook>, post: &Post, signature: &str) -> ServiceResult<()> {
    let refused = |why: &str| ServiceError::Unauthenticated(format!("webhook signature refused: {why}"));
    let webhook = webhook.ok_or_else(|| refused("this webhook has no secret"))?;
    let sealed = webhook.secret.as_deref().ok_or_else(|| refused("this webhook has no secret"))?;
    let secret = platform.cipher.decrypt(sealed).map_err(|e| ServiceError::Internal(format!("webhook secret: {e}")))?;
    let given = signature
        .strip_prefix("sha256=")
        .and_then(|hex_digest| hex::decode(hex_digest).ok())
        .ok_or_else(|| refused("expected sha256=<hex>"))?;
    let timestamp = post.headers.get(TIMESTAMP_HEADER);
    if timestamp.is_none() && webhook.replay_window_s.is_some() {
        return Err(refused("this webhook needs a signed timestamp (X-Attune-Timestamp)"));
    }
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let Some(timestamp) = timestamp else {
        mac.update(&post.body);
        // Constant-time comparison.
        return mac.verify_slice(&given).map_err(|_| refused("it does not match the body"));
    };
    let window = webhook.replay_window_s.unwrap_or(DEFAULT_REPLAY_WINDOW_S);
    let sent: i64 = timestamp.trim().parse().map_err(|_| refused("X-Attune-Timestamp is not a number of seconds"))?;
    let now = chrono::Utc::now().timestamp();
    if now.abs_diff(sent) > window.unsigned_abs() {
        return Err(refused(&format!("its timestamp is more than {window} s from now")));
    }
    mac.update(format!("{sent}.").as_bytes());
    mac.update(&post.body);
    mac.verify_slice(&given).map_err(|_| refused("it does not match the timestamp and body"))?;
    let forget_at = chrono::DateTime::from_timestamp(sent.saturating_add(window), 0)
        .ok_or_else(|| refused("its timestamp is out of range"))?;
    if platform.store.record_webhook_delivery(&webhook.name, &hex::encode(&given), forget_at).await? {
        Ok(())
    } else {
        Err(ServiceError::Conflict("this signed post was already accepted; a signature is accepted once".into()))
    }
}

/// The header of a signed timestamp.
pub const TIMESTAMP_HEADER: &str = "x-attune-timestamp";

fn parse_body(post: &Post) -> ServiceResult<Value> {
    let is_json = post.headers.get("content-type").is_some_and(|t| t.starts_with("application/json"));
    if post.body.is_empty() {
        return Ok(Value::Null);
    }
    if is_json {
        return serde_json::from_slice(&post.body)
            .map_err(|e| ServiceError::BadRequest(format!("the body is not valid JSON: {e}")));
    }
    Ok(Value::String(String::from_utf8_lossy(&post.body).into_owned()))
}

/// The signature header value a sender computes for `body` with `secret` (for clients and
/// tests).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC accepts keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// The signature header value for `body` sent at `timestamp` (unix seconds, also sent as
/// `X-Attune-Timestamp`).
pub fn sign_at(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut signed = format!("{timestamp}.").into_bytes();
    signed.extend_from_slice(body);
    sign(secret, &signed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_headers_are_recognised() {
        for name in
            ["authorization", "cookie", "x-api-key", "x-gitlab-token", "x-hub-signature-256", "x-slack-signature"]
        {
            assert!(is_credential_header(name), "{name}");
        }
        for name in ["content-type", "user-agent", "x-github-event", "x-attune-timestamp"] {
            assert!(!is_credential_header(name), "{name}");
        }
    }
}
