//! Webhooks: named endpoints that turn posts into `core.webhook` events.
//!
//! A post authenticates with an API token, or — for senders that cannot hold one — with an
//! HMAC-SHA256 signature of the raw body made with the webhook's secret, in the header
//! `X-Attune-Signature: sha256=<hex>` (`X-Hub-Signature-256` is accepted too). Any name may
//! be posted to with a token; a signature needs a registered webhook with a secret.

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

/// Headers that carry credentials: never copied into an event.
const PRIVATE_HEADERS: &[&str] = &["authorization", "cookie", "x-attune-signature", "x-hub-signature-256"];

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
) -> ServiceResult<Webhook> {
    validate_name(name).map_err(|e| ServiceError::field("name", e.to_string()))?;
    if secret.as_deref().is_some_and(|s| s.len() < 16) {
        return Err(ServiceError::field("secret", "must be at least 16 characters"));
    }
    let webhook = NewWebhook {
        name: name.to_owned(),
        description,
        secret: secret.map(|s| platform.cipher.encrypt(&s)),
        enabled: true,
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
        Some(Proof::Signature(signature)) => verify(platform, webhook.as_ref(), &post, &signature)?,
        None => {
            return Err(ServiceError::Unauthenticated(
                "a webhook post needs an API token or a signature header (X-Attune-Signature: sha256=<hex>)".into(),
            ));
        }
    }
    let body = parse_body(&post)?;
    let headers: BTreeMap<&String, &String> =
        post.headers.iter().filter(|(name, _)| !PRIVATE_HEADERS.contains(&name.as_str())).collect();
    let event = NewEvent {
        trigger_ref: WEBHOOK_TRIGGER.into(),
        config: json!({ "trigger_parameters": { "name": post.name } }),
        payload: json!({ "name": post.name, "headers": headers, "body": body }),
        source_ref: None,
    };
    Ok(crate::events::emit(platform.store.as_ref(), platform.bus.as_ref(), &event).await?)
}

fn verify(platform: &Platform, webhook: Option<&Webhook>, post: &Post, signature: &str) -> ServiceResult<()> {
    let refused = |why: &str| ServiceError::Unauthenticated(format!("webhook signature refused: {why}"));
    let sealed = webhook.and_then(|w| w.secret.as_deref()).ok_or_else(|| refused("this webhook has no secret"))?;
    let secret = platform.cipher.decrypt(sealed).map_err(|e| ServiceError::Internal(format!("webhook secret: {e}")))?;
    let given = signature
        .strip_prefix("sha256=")
        .and_then(|hex_digest| hex::decode(hex_digest).ok())
        .ok_or_else(|| refused("expected sha256=<hex>"))?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|e| ServiceError::Internal(e.to_string()))?;
    mac.update(&post.body);
    // Constant-time comparison.
    mac.verify_slice(&given).map_err(|_| refused("it does not match the body"))
}

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
