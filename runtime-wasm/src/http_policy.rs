//! The outbound HTTP allowlist: `wasi:http` requests reach only the action's
//! `allowed_hosts`.
//!
//! Entries are host names as pack authors write them in `allowed_hosts`:
//! - `api.example.com`: that host, on any port;
//! - `api.example.com:8443`: that host, on that port only;
//! - `*.example.com`: any subdomain of `example.com` (not `example.com` itself), any port.
//!
//! Matching is on the request's authority (case-insensitive), before any connection is made.
//! A refused request fails in the guest with `error-code.HTTP-request-denied` and is logged
//! for audit. An empty list refuses everything. Names are matched, not resolved addresses:
//! an allowed name is trusted to point where its owner says.

use std::future::Future;

use http_body_util::BodyExt;
use wasmtime_wasi_http::{RequestOptions, WasiBody, WasiHttpHooks};

/// The hosts one execution may reach.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostAllowlist {
    entries: Vec<AllowedHost>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AllowedHost {
    /// Lowercase host; for wildcards, the suffix including its leading dot (`.example.com`).
    host: String,
    wildcard: bool,
    port: Option<u16>,
}

impl HostAllowlist {
    /// The allowlist of `allowed_hosts` entries. Entries that cannot be parsed are ignored
    /// (and so allow nothing); pack loading rejects them before they get here.
    pub fn new<S: AsRef<str>>(allowed_hosts: &[S]) -> Self {
        let entries = allowed_hosts.iter().filter_map(|entry| parse_entry(entry.as_ref())).collect();
        Self { entries }
    }

    /// Whether a request to `authority` (`host` or `host:port`, as in a URL) with `scheme`'s
    /// default port `default_port` is allowed.
    pub fn allows(&self, authority: &str, default_port: u16) -> bool {
        let Some((host, port)) = split_authority(authority) else {
            return false;
        };
        let host = host.to_ascii_lowercase();
        let port = port.unwrap_or(default_port);
        self.entries.iter().any(|entry| {
            let host_matches = if entry.wildcard {
                host.ends_with(&entry.host) && host.len() > entry.host.len()
            } else {
                host == entry.host
            };
            host_matches && entry.port.is_none_or(|p| p == port)
        })
    }
}

fn parse_entry(entry: &str) -> Option<AllowedHost> {
    let (host, port) = split_authority(entry.trim())?;
    let (host, wildcard) = match host.strip_prefix("*.") {
        Some(suffix) => (format!(".{suffix}"), true),
        None => (host.to_owned(), false),
    };
    (!host.is_empty() && host != ".").then(|| AllowedHost { host: host.to_ascii_lowercase(), wildcard, port })
}

/// `host[:port]` or `[v6]:port` → host and port; `None` when the port is not a number.
fn split_authority(authority: &str) -> Option<(&str, Option<u16>)> {
    // Userinfo never selects a host.
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return match after.strip_prefix(':') {
            Some(port) => Some((host, Some(port.parse().ok()?))),
            None if after.is_empty() => Some((host, None)),
            None => None,
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host, Some(port.parse().ok()?))),
        None => Some((authority, None)),
    }
}

/// The `wasi:http` hooks of one execution: the default transport, behind the allowlist.
pub(crate) struct HttpPolicy {
    allowlist: HostAllowlist,
    /// Who is asking, for the audit log line of a refused request.
    requester: String,
}

impl HttpPolicy {
    /// Hooks allowing `allowlist`, logging refusals as `requester`.
    pub(crate) fn new(allowlist: HostAllowlist, requester: String) -> Self {
        Self { allowlist, requester }
    }
}

type ResponseFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<WasiBody>,
                Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for HttpPolicy {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> ResponseFuture {
        let uri = request.uri();
        let default_port = if uri.scheme() == Some(&http::uri::Scheme::HTTP) { 80 } else { 443 };
        let authority = uri.authority().map(|a| a.as_str()).unwrap_or_default();
        if self.allowlist.allows(authority, default_port) {
            // The guest's body errors surface through the transport; nothing else to await.
            drop(fut);
            return Box::new(async move {
                let (response, connection) = wasmtime_wasi_http::default_send_request(request, options).await?;
                let connection: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send> = Box::new(connection);
                Ok((response.map(BodyExt::boxed_unsync), connection))
            });
        }
        tracing::warn!(
            target: "attune::audit",
            requester = %self.requester,
            authority,
            "outbound HTTP request refused: host not in allowed_hosts"
        );
        Box::new(async { Err(wasmtime_wasi_http::Error::HttpRequestDenied) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_hosts_match_any_port_unless_one_is_given() {
        let list = HostAllowlist::new(&["api.example.com", "127.0.0.1:8080"]);
        assert!(list.allows("api.example.com", 443));
        assert!(list.allows("API.example.com:9000", 443));
        assert!(list.allows("127.0.0.1:8080", 80));
        assert!(!list.allows("127.0.0.1:8081", 80));
        assert!(!list.allows("127.0.0.1", 80), "default port 80 is not 8080");
        assert!(!list.allows("example.com", 443));
        assert!(!list.allows("api.example.com.evil.net", 443));
    }

    #[test]
    fn wildcards_match_subdomains_only() {
        let list = HostAllowlist::new(&["*.example.com"]);
        assert!(list.allows("a.example.com", 443));
        assert!(list.allows("a.b.example.com:8443", 443));
        assert!(!list.allows("example.com", 443));
        assert!(!list.allows("badexample.com", 443));
    }

    #[test]
    fn empty_and_odd_authorities_are_refused() {
        assert!(!HostAllowlist::default().allows("api.example.com", 443));
        let list = HostAllowlist::new(&["api.example.com", "[::1]:8080"]);
        assert!(!list.allows("", 443));
        assert!(!list.allows("api.example.com:notaport", 443));
        assert!(list.allows("[::1]:8080", 80));
        assert!(!list.allows("api.example.com@evil.net", 443), "userinfo does not pick the host");
    }
}
