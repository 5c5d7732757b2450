//! `GET /api/v1/stream`: live notices over a WebSocket — execution status changes and
//! output lines, events, enforcements, inquiries — as they happen anywhere in the
//! deployment (the bus carries them between processes).
//!
//! Each connection subscribes to the bus and forwards, as JSON text frames, the notices that
//! pass its [`Filter`] and that the caller may view: the grant checks are those of the
//! routes showing the same entity (`view` on `execution` in the pack of its action, `view`
//! on `event`, `enforcement`, `inquiry`). The client may replace its filter at any time by
//! sending `{"subscribe": {"entity": [...], "id": ..., "output": ...}}`; every accepted
//! filter is confirmed with `{"type": "subscribed", "filter": ...}`, every refused message
//! answered with `{"type": "error", "message": ...}`. A client too slow to keep up gets
//! `{"type": "lagged", "missed": n}` and the stream goes on from the oldest notice kept.
//!
//! A stream outlives the request that opened it, so its credential is checked again every
//! [`RECHECK_EVERY`]: when it has expired or been revoked (a password change, a disabled
//! identity, a deleted API key), the stream says so in an `error` frame and closes with
//! code 1008 (policy violation); otherwise the caller's grants are refreshed.
//!
//! A stream is a view, not a record: what happened before it connected, or while it lagged,
//! is read from the REST routes.

mod filter;

use std::collections::HashMap;
use std::time::Duration;

use attune_bus::{Notice, Received, Subscription};
use attune_domain::Id;
use attune_domain::identity::Verb;
use attune_services::ServiceError;
use attune_services::auth::{Caller, authenticate};
use attune_services::rbac::{Need, pack_of};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use serde_json::json;

pub use filter::Filter;
use filter::{ENTITY_TYPES, FilterQuery};

use crate::auth::Presented;
use crate::error::{ApiError, ApiResult};
use crate::extract::Query;
use crate::state::ApiState;

/// How often an open stream checks its credential again.
pub const RECHECK_EVERY: Duration = Duration::from_secs(5);

pub fn router() -> Router<ApiState> {
    Router::new().route("/api/v1/stream", get(stream))
}

/// This module's operations, for the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(stream), components(schemas(Filter)))]
pub struct Doc;

/// Live notices over a WebSocket (an HTTP upgrade). The credential may be given as the
/// `access_token` query parameter, for clients that cannot set headers on a WebSocket
/// request. Frames are JSON notices tagged by `type`: `execution_status`,
/// `execution_output`, `event_created`, `enforcement_status`, `inquiry_created`,
/// `inquiry_closed`; and `subscribed`, `lagged`, `error`.
#[utoipa::path(get, path = "/api/v1/stream", tag = "stream", params(FilterQuery),
    responses(
        (status = SWITCHING_PROTOCOLS, description = "The WebSocket is open"),
        (status = UPGRADE_REQUIRED, description = "Not a WebSocket request", body = crate::error::ErrorBody),
    ))]
async fn stream(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    Extension(credential): Extension<Presented>,
    Query(query): Query<FilterQuery>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let filter = Filter::try_from(query)?;
    let wanted: Vec<&str> = if filter.entity.is_empty() {
        ENTITY_TYPES.to_vec()
    } else {
        filter.entity.iter().map(String::as_str).collect()
    };
    // Refuse up front a caller who could be shown nothing; the rest is checked per notice.
    if !wanted.iter().any(|entity| caller.permissions.allows_somewhere(entity, Verb::View)) {
        return Err(ServiceError::Forbidden(format!("the stream needs view on one of {}", wanted.join(", "))).into());
    }
    let upgrade = upgrade.map_err(|rejection| {
        ApiError::new(
            StatusCode::UPGRADE_REQUIRED,
            "upgrade_required",
            format!("a WebSocket upgrade is required: {rejection}"),
        )
    })?;
    // Subscribe before answering: everything after the upgrade is heard.
    let subscription = state.platform.bus.subscribe().await.map_err(|error| {
        tracing::error!(%error, "cannot subscribe to notices");
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "live notices are unavailable; try again")
    })?;
    let viewer = Viewer { state, caller, credential, packs: HashMap::new() };
    Ok(upgrade.on_upgrade(move |socket| forward(socket, subscription, filter, viewer)))
}

/// A message from the client.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientMessage {
    subscribe: Filter,
}

/// Forwards notices until either side closes.
async fn forward(mut socket: WebSocket, mut subscription: Subscription, mut filter: Filter, mut viewer: Viewer) {
    if send(&mut socket, json!({"type": "subscribed", "filter": filter})).await.is_err() {
        return;
    }
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK_EVERY, RECHECK_EVERY);
    loop {
        tokio::select! {
            _ = recheck.tick() => {
                if let Err(refused) = viewer.reauthenticate().await {
                    let _ = send(&mut socket, json!({"type": "error", "message": refused})).await;
                    let close = CloseFrame { code: close_code::POLICY, reason: "credential expired or revoked".into() };
                    let _ = socket.send(Message::Close(Some(close))).await;
                    return;
                }
            }
            received = subscription.next() => {
                let frame = match received {
                    Some(Received::Notice(notice)) => {
                        if !filter.passes(&notice) || !viewer.may_see(&notice).await {
                            continue;
                        }
                        serde_json::to_value(&notice).unwrap_or_default()
                    }
                    Some(Received::Lagged { missed }) => json!({"type": "lagged", "missed": missed}),
                    None => break, // the bus closed: the server is stopping
                };
                if send(&mut socket, frame).await.is_err() {
                    return;
                }
            }
            message = socket.recv() => {
                let reply = match message {
                    Some(Ok(Message::Text(text))) => match serde_json::from_str::<ClientMessage>(&text)
                        .map_err(|error| error.to_string())
                        .and_then(|message| message.subscribe.checked().map_err(|error| error.message))
                    {
                        Ok(accepted) => {
                            filter = accepted;
                            json!({"type": "subscribed", "filter": filter})
                        }
                        Err(message) => json!({"type": "error", "message": message}),
                    },
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    // Pings are answered by the socket itself; binary frames mean nothing here.
                    Some(Ok(_)) => continue,
                };
                if send(&mut socket, reply).await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = socket.send(Message::Close(None)).await;
}

async fn send(socket: &mut WebSocket, frame: serde_json::Value) -> Result<(), axum::Error> {
    socket.send(Message::Text(frame.to_string().into())).await
}

/// Executions whose pack a stream remembers before it starts over.
const REMEMBERED_EXECUTIONS: usize = 4096;

/// Decides which notices the caller may see, remembering the pack of each execution it
/// looked up for output notices (which do not name their action).
struct Viewer {
    state: ApiState,
    caller: Caller,
    credential: Presented,
    packs: HashMap<Id, Option<String>>,
}

impl Viewer {
    /// Verifies the stream's credential again and takes the caller's current grants; the
    /// reason it was refused otherwise. A store that cannot answer keeps the stream going.
    async fn reauthenticate(&mut self) -> Result<(), String> {
        match authenticate(&self.state.platform, &self.credential.0).await {
            Ok(caller) => {
                self.caller = caller;
                Ok(())
            }
            Err(ServiceError::Unauthenticated(reason)) => {
                tracing::info!(login = %self.caller.login, %reason, "live stream closed: its credential is no longer valid");
                Err(reason)
            }
            Err(error) => {
                tracing::warn!(%error, "could not check a live stream's credential again; it stays open");
                Ok(())
            }
        }
    }

    async fn may_see(&mut self, notice: &Notice) -> bool {
        let resource = notice.entity_type();
        let pack = match notice {
            Notice::ExecutionStatus { action_ref, .. } => pack_of(action_ref).map(str::to_owned),
            Notice::ExecutionOutput { execution, .. } => match self.packs.get(execution) {
                Some(pack) => pack.clone(),
                None => {
                    let pack = match self.state.platform.store.get_execution(*execution).await {
                        Ok(found) => pack_of(&found.action_ref).map(str::to_owned),
                        Err(_) => None,
                    };
                    if self.packs.len() >= REMEMBERED_EXECUTIONS {
                        self.packs.clear();
                    }
                    self.packs.insert(*execution, pack.clone());
                    pack
                }
            },
            // Events, enforcements and inquiries are shown by routes that check no pack.
            _ => None,
        };
        self.caller.can(Need::new(resource, Verb::View).in_pack(pack.as_deref()))
    }
}
