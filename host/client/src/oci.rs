//! Pack archives in OCI registries: `attune pack publish --to oci://host/repo:tag` pushes
//! one, `attune pack install oci://host/repo:tag` pulls one and installs it.
//!
//! A pack is stored the way OCI 1.1 stores non-image artifacts, as wasm tooling (wkg, ORAS)
//! does for components: an image manifest whose `artifactType` names the kind of artifact,
//! whose config is the empty descriptor (`application/vnd.oci.empty.v1+json`, the two bytes
//! `{}`), and whose one layer is the archive itself, with media type
//! [`LAYER_MEDIA_TYPE`] and the file name as `org.opencontainers.image.title`. The
//! manifest's annotations carry the pack's ref and version.
//!
//! The distribution API is spoken directly: blobs are uploaded with a monolithic
//! `POST` + `PUT ?digest=` (skipped when `HEAD` finds them), the manifest is `PUT` by tag.
//! Registries on the loopback interface are reached over plain HTTP, others over HTTPS;
//! `ATTUNE_REGISTRY_USERNAME` / `ATTUNE_REGISTRY_PASSWORD` are sent as basic credentials
//! when set. A pulled layer is checked against the digest its manifest names.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::failure::Failure;

/// The manifest's `artifactType`.
pub const ARTIFACT_TYPE: &str = "application/vnd.attune.pack.v1";
/// The media type of the layer holding the archive.
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.attune.pack.layer.v1.tar+gzip";
const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
const EMPTY_MEDIA_TYPE: &str = "application/vnd.oci.empty.v1+json";
/// The largest manifest and archive read from a registry.
const MANIFEST_BYTES: usize = 1 << 20;
const ARCHIVE_BYTES: usize = 256 << 20;

/// A parsed `oci://host[:port]/repository[:tag|@digest]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`.
    pub registry: String,
    /// `path/name`.
    pub repository: String,
    /// A tag, or `sha256:...` for a digest.
    pub reference: String,
}

impl Reference {
    /// Parses `text`; a reference without tag or digest means `latest`.
    pub fn parse(text: &str) -> Result<Self, Failure> {
        let bad = |why: &str| {
            Failure::Usage(format!("'{text}' is not an OCI reference ({why}): expected oci://host/repository:tag"))
        };
        let rest = text.strip_prefix("oci://").ok_or_else(|| bad("no oci:// prefix"))?;
        let (registry, path) = rest.split_once('/').ok_or_else(|| bad("no repository"))?;
        if registry.is_empty() || !registry.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)) {
            return Err(bad("bad registry host"));
        }
        let (repository, reference) = if let Some((repo, digest)) = path.split_once('@') {
            (repo, digest.to_owned())
        } else {
            // A ':' after the last '/' is the tag's.
            match path.rfind(':').filter(|at| !path[*at..].contains('/')) {
                Some(at) => (&path[..at], path[at + 1..].to_owned()),
                None => (path, "latest".to_owned()),
            }
        };
        // OCI path components: lowercase alphanumerics, joined by '.', '_' or '-'.
        let component = |c: &str| {
            let alnum = |ch: char| ch.is_ascii_lowercase() || ch.is_ascii_digit();
            c.starts_with(alnum) && c.ends_with(alnum) && c.chars().all(|ch| alnum(ch) || "._-".contains(ch))
        };
        if !repository.split('/').all(component) {
            return Err(bad("repository names are lowercase letters, digits, '.', '_' and '-', separated by '/'"));
        }
        let tag_ok = reference.len() <= 128
            && reference.chars().all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c))
            && !reference.starts_with(['.', '-']);
        if reference.is_empty() || !tag_ok {
            return Err(bad("bad tag or digest"));
        }
        Ok(Self { registry: registry.to_owned(), repository: repository.to_owned(), reference })
    }

    fn base(&self) -> String {
        let host = self.registry.split(':').next().unwrap_or_default();
        let local = host == "localhost" || host.starts_with("127.") || self.registry.starts_with("[::1]");
        let scheme = if local { "http" } else { "https" };
        format!("{scheme}://{}/v2/{}", self.registry, self.repository)
    }
}

/// A client of one registry.
pub struct Registry {
    http: reqwest::Client,
    credentials: Option<(String, String)>,
}

impl Registry {
    /// A client with the credentials of the environment, if any.
    pub fn new() -> Self {
        let credentials = match (std::env::var("ATTUNE_REGISTRY_USERNAME"), std::env::var("ATTUNE_REGISTRY_PASSWORD")) {
            (Ok(user), Ok(password)) if !user.is_empty() => Some((user, password)),
            _ => None,
        };
        Self { http: reqwest::Client::new(), credentials }
    }

    fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, url);
        match &self.credentials {
            Some((user, password)) => request.basic_auth(user, Some(password)),
            None => request,
        }
    }

    async fn send(&self, to: &Reference, request: reqwest::RequestBuilder) -> Result<reqwest::Response, Failure> {
        let response = request
            .send()
            .await
            .map_err(|e| Failure::Unreachable { url: format!("oci://{}", to.registry), reason: e.to_string() })?;
        if response.status().is_success() {
            return Ok(response);
        }
        let status = response.status();
        let body = response.text().await.unwrap_or_default();
        let message = format!("the registry {} answered {status}: {}", to.registry, body.trim());
        Err(match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Failure::Auth(crate::failure::Refusal {
                status: status.as_u16(),
                code: "registry".into(),
                message,
                details: None,
            }),
            _ => Failure::Local(message),
        })
    }

    /// Uploads a blob unless the registry has it.
    async fn put_blob(&self, to: &Reference, digest: &str, bytes: &[u8]) -> Result<(), Failure> {
        let head = self.request(reqwest::Method::HEAD, &format!("{}/blobs/{digest}", to.base())).send().await;
        if head.is_ok_and(|r| r.status() == StatusCode::OK) {
            return Ok(());
        }
        let started =
            self.send(to, self.request(reqwest::Method::POST, &format!("{}/blobs/uploads/", to.base()))).await?;
        let location = started
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .ok_or_else(|| Failure::Local(format!("the registry {} gave no upload location", to.registry)))?;
        let location = if location.starts_with('/') {
            let origin = to.base();
            let origin = &origin[..origin.find("/v2/").unwrap_or(origin.len())];
            format!("{origin}{location}")
        } else {
            location.to_owned()
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let put = self
            .request(reqwest::Method::PUT, &format!("{location}{separator}digest={digest}"))
            .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
            .body(bytes.to_vec());
        self.send(to, put).await?;
        Ok(())
    }

    /// Pushes the archive `bytes` of pack `pack_ref` `version` to `to`; returns the
    /// manifest's digest.
    pub async fn push(&self, to: &Reference, bytes: &[u8], pack_ref: &str, version: &str) -> Result<String, Failure> {
        let config = b"{}";
        let config_digest = attune_packs::archive::digest(config);
        let layer_digest = attune_packs::archive::digest(bytes);
        self.put_blob(to, &config_digest, config).await?;
        self.put_blob(to, &layer_digest, bytes).await?;
        let manifest = json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_MEDIA_TYPE,
            "artifactType": ARTIFACT_TYPE,
            "config": {"mediaType": EMPTY_MEDIA_TYPE, "digest": config_digest, "size": config.len()},
            "layers": [{
                "mediaType": LAYER_MEDIA_TYPE, "digest": layer_digest, "size": bytes.len(),
                "annotations": {"org.opencontainers.image.title": format!("{pack_ref}-{version}.tar.gz")},
            }],
            "annotations": {
                "org.opencontainers.image.title": pack_ref,
                "org.opencontainers.image.version": version,
                "dev.attune.pack.ref": pack_ref,
            },
        });
        let body = serde_json::to_vec(&manifest).unwrap_or_default();
        let digest = attune_packs::archive::digest(&body);
        let put = self
            .request(reqwest::Method::PUT, &format!("{}/manifests/{}", to.base(), to.reference))
            .header(reqwest::header::CONTENT_TYPE, MANIFEST_MEDIA_TYPE)
            .body(body);
        self.send(to, put).await?;
        Ok(digest)
    }

    /// Pulls the pack archive `from` names, checked against its manifest's digest.
    pub async fn pull(&self, from: &Reference) -> Result<Vec<u8>, Failure> {
        let get = self
            .request(reqwest::Method::GET, &format!("{}/manifests/{}", from.base(), from.reference))
            .header(reqwest::header::ACCEPT, MANIFEST_MEDIA_TYPE);
        let manifest = read_bounded(self.send(from, get).await?, MANIFEST_BYTES, from).await?;
        let manifest: Value = serde_json::from_slice(&manifest)
            .map_err(|e| Failure::Local(format!("oci://{}: the manifest is not JSON: {e}", from.registry)))?;
        let layer = manifest["layers"]
            .as_array()
            .and_then(|layers| layers.iter().find(|l| l["mediaType"] == LAYER_MEDIA_TYPE))
            .ok_or_else(|| {
                Failure::Local(format!(
                    "{}/{}:{} holds no Attune pack (no layer of type {LAYER_MEDIA_TYPE})",
                    from.registry, from.repository, from.reference
                ))
            })?;
        let digest = layer["digest"].as_str().unwrap_or_default().to_owned();
        let blob = self.request(reqwest::Method::GET, &format!("{}/blobs/{digest}", from.base()));
        let bytes = read_bounded(self.send(from, blob).await?, ARCHIVE_BYTES, from).await?;
        if attune_packs::archive::digest(&bytes) != digest {
            return Err(Failure::Local(format!(
                "oci://{}: the pack layer does not match its digest {digest}",
                from.registry
            )));
        }
        Ok(bytes)
    }
}

/// A response body of at most `limit` bytes.
async fn read_bounded(mut response: reqwest::Response, limit: usize, from: &Reference) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Failure::Unreachable { url: format!("oci://{}", from.registry), reason: e.to_string() })?
    {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > limit {
            return Err(Failure::Local(format!("oci://{}: an answer larger than {limit} bytes", from.registry)));
        }
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_registry_repository_and_tag() {
        let parsed = Reference::parse("oci://127.0.0.1:5000/team/greeter:1.0.0").unwrap();
        assert_eq!(parsed.registry, "127.0.0.1:5000");
        assert_eq!(parsed.repository, "team/greeter");
        assert_eq!(parsed.reference, "1.0.0");
        assert_eq!(parsed.base(), "http://127.0.0.1:5000/v2/team/greeter");
        assert_eq!(Reference::parse("oci://ghcr.io/acme/pack").unwrap().reference, "latest");
        assert_eq!(Reference::parse("oci://ghcr.io/acme/pack").unwrap().base(), "https://ghcr.io/v2/acme/pack");
        let pinned = Reference::parse("oci://ghcr.io/acme/pack@sha256:abc").unwrap();
        assert_eq!(pinned.reference, "sha256:abc");
        for bad in [
            "ghcr.io/acme/pack",
            "oci://ghcr.io",
            "oci://ghcr.io/Acme/pack",
            "oci://ghcr.io/a/../b",
            "oci://h/p:t/../x",
        ] {
            assert_eq!(Reference::parse(bad).unwrap_err().exit_code(), 2, "{bad}");
        }
    }
}
