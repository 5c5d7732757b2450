//! Artifacts: files and links an action publishes as part of its execution.
//!
//! Both runtimes funnel what an action publishes through one [`ArtifactSet`], so the rules
//! are the same whatever the language: a name is one plain file name (no directories, no
//! control characters, at most [`MAX_NAME_BYTES`]), names are unique within an execution,
//! an execution publishes at most [`MAX_ARTIFACTS`] artifacts whose files add up to at most
//! its `artifact_bytes` limit, and a link is an `http` or `https` URL. What breaks a rule is
//! refused with a message saying why, and nothing of it is kept; what was published before
//! stays.
//!
//! WASM actions publish through the WIT `artifacts` interface (a refusal is the call's
//! error); native actions write files into the directory `ATTUNE_ARTIFACTS_DIR` names, which
//! the runtime collects once the process has ended (a refusal becomes a line of the
//! execution's output).

use attune_domain::status::ArtifactType;

/// Most artifacts one execution may publish.
pub const MAX_ARTIFACTS: usize = 64;

/// Longest artifact name, in bytes.
pub const MAX_NAME_BYTES: usize = 200;

/// Longest link, in bytes.
pub const MAX_URL_BYTES: usize = 2048;

/// Native actions: a file whose name ends in this, holding one URL, publishes a link named
/// by the rest of the file name.
pub const LINK_SUFFIX: &str = ".link";

/// One published artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedArtifact {
    /// Its name, unique within the execution.
    pub name: String,
    /// What it holds.
    pub content: ArtifactContent,
}

/// A file's bytes or a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactContent {
    /// A file, with its media type (given, or guessed from the name).
    File {
        /// E.g. `text/plain`.
        media_type: String,
        /// The file's bytes.
        bytes: Vec<u8>,
    },
    /// A link to something kept elsewhere.
    Link {
        /// An `http` or `https` URL.
        url: String,
    },
}

/// Why an artifact was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArtifactRefused {
    /// The name breaks the naming rules.
    #[error("artifact name {name:?} is not allowed: {reason}")]
    Name {
        /// The name as given.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },
    /// The name was published already.
    #[error("artifact {0:?} was already published by this execution")]
    Duplicate(String),
    /// The execution has published as many artifacts as it may.
    #[error("artifact {0:?} refused: an execution may publish at most {MAX_ARTIFACTS} artifacts")]
    TooMany(String),
    /// The file would take the execution past its byte limit.
    #[error("artifact {name:?} refused: {size} bytes would exceed the execution's artifact limit of {limit} bytes")]
    TooLarge {
        /// The artifact's name.
        name: String,
        /// Its size.
        size: u64,
        /// The execution's limit.
        limit: u64,
    },
    /// The link is not an http(s) URL.
    #[error("artifact {0:?} refused: a link must be an http or https URL of at most {MAX_URL_BYTES} bytes")]
    BadLink(String),
    /// The media type is malformed.
    #[error("artifact {0:?} refused: its media type must look like `type/subtype`")]
    BadMediaType(String),
}

/// The artifacts of one execution, checked as they are published.
#[derive(Debug, Clone)]
pub struct ArtifactSet {
    limit_bytes: u64,
    used_bytes: u64,
    items: Vec<PublishedArtifact>,
}

impl ArtifactSet {
    /// An empty set whose files may add up to `limit_bytes`.
    pub fn new(limit_bytes: u64) -> Self {
        Self { limit_bytes, used_bytes: 0, items: Vec::new() }
    }

    /// Publishes a file; `media_type` is guessed from the name when not given.
    pub fn publish_file(
        &mut self,
        name: &str,
        media_type: Option<&str>,
        bytes: Vec<u8>,
    ) -> Result<(), ArtifactRefused> {
        self.admit(name)?;
        let media_type = match media_type {
            Some(given) if valid_media_type(given) => given.to_ascii_lowercase(),
            Some(_) => return Err(ArtifactRefused::BadMediaType(name.to_owned())),
            None => guess_media_type(name).to_owned(),
        };
        let size = bytes.len() as u64;
        if self.used_bytes.saturating_add(size) > self.limit_bytes {
            return Err(ArtifactRefused::TooLarge { name: name.to_owned(), size, limit: self.limit_bytes });
        }
        self.used_bytes += size;
        self.items
            .push(PublishedArtifact { name: name.to_owned(), content: ArtifactContent::File { media_type, bytes } });
        Ok(())
    }

    /// Publishes a link.
    pub fn publish_link(&mut self, name: &str, url: &str) -> Result<(), ArtifactRefused> {
        self.admit(name)?;
        let url = url.trim();
        let scheme_ok = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'));
        if !scheme_ok || url.len() > MAX_URL_BYTES || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
            return Err(ArtifactRefused::BadLink(name.to_owned()));
        }
        self.items
            .push(PublishedArtifact { name: name.to_owned(), content: ArtifactContent::Link { url: url.to_owned() } });
        Ok(())
    }

    /// Bytes the execution may still publish.
    pub fn remaining_bytes(&self) -> u64 {
        self.limit_bytes - self.used_bytes
    }

    /// What was published, in order.
    pub fn into_items(self) -> Vec<PublishedArtifact> {
        self.items
    }

    fn admit(&self, name: &str) -> Result<(), ArtifactRefused> {
        check_name(name)?;
        if self.items.iter().any(|item| item.name == name) {
            return Err(ArtifactRefused::Duplicate(name.to_owned()));
        }
        if self.items.len() >= MAX_ARTIFACTS {
            return Err(ArtifactRefused::TooMany(name.to_owned()));
        }
        Ok(())
    }
}

/// Checks `name` against the naming rules.
pub fn check_name(name: &str) -> Result<(), ArtifactRefused> {
    let refuse = |reason| Err(ArtifactRefused::Name { name: name.to_owned(), reason });
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return refuse("it must be 1 to 200 bytes long");
    }
    if name == "." || name == ".." || name.contains('/') || name.contains('\\') {
        return refuse("it must be a plain file name, without directories");
    }
    if name.chars().any(char::is_control) {
        return refuse("it must not contain control characters");
    }
    Ok(())
}

/// The media type of a file named `name`, from its extension; `application/octet-stream`
/// when unknown.
pub fn guess_media_type(name: &str) -> &'static str {
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "txt" | "log" => "text/plain",
        "md" => "text/markdown",
        "csv" => "text/csv",
        "tsv" => "text/tab-separated-values",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "yaml" | "yml" => "application/yaml",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "tar" => "application/x-tar",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        _ => "application/octet-stream",
    }
}

/// `type/subtype`, each a token of letters, digits and `!#$&-^_.+`, with optional
/// parameters after `;`.
fn valid_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    let token = |part: &str| {
        !part.is_empty()
            && part.len() <= 127
            && part.chars().all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    media_type.len() <= 255
        && !media_type.chars().any(char::is_control)
        && essence.split_once('/').is_some_and(|(kind, sub)| token(kind) && token(sub))
}

impl PublishedArtifact {
    /// The kind readers are shown (the stored artifact's type).
    pub fn kind(&self) -> ArtifactType {
        match &self.content {
            ArtifactContent::Link { .. } => ArtifactType::Url,
            ArtifactContent::File { media_type, .. } => {
                let essence = media_type.split(';').next().unwrap_or_default();
                if matches!(essence, "text/csv" | "text/tab-separated-values") {
                    ArtifactType::FileDatatable
                } else if essence.starts_with("text/") || matches!(essence, "application/json" | "application/yaml") {
                    ArtifactType::FileText
                } else if essence.starts_with("image/") {
                    ArtifactType::FileImage
                } else {
                    ArtifactType::FileBinary
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_plain_file_names() {
        for bad in ["", ".", "..", "a/b", "../etc/passwd", "a\\b", "line\nbreak", &"x".repeat(201)] {
            assert!(matches!(check_name(bad), Err(ArtifactRefused::Name { .. })), "{bad:?} accepted");
        }
        for good in ["report.txt", "Übersicht 2026.csv", ".hidden", &"x".repeat(200)] {
            assert_eq!(check_name(good), Ok(()), "{good:?} refused");
        }
    }

    #[test]
    fn a_set_keeps_to_its_limits() {
        let mut set = ArtifactSet::new(10);
        set.publish_file("a.txt", None, b"12345".to_vec()).unwrap();
        assert_eq!(set.publish_file("a.txt", None, Vec::new()), Err(ArtifactRefused::Duplicate("a.txt".into())));
        assert!(matches!(
            set.publish_file("b.bin", None, b"123456".to_vec()),
            Err(ArtifactRefused::TooLarge { size: 6, limit: 10, .. })
        ));
        set.publish_file("b.bin", Some("Application/X-Thing"), b"12345".to_vec()).unwrap();
        assert_eq!(set.remaining_bytes(), 0);
        set.publish_link("docs", "https://example.com/run/1").unwrap();
        let items = set.into_items();
        assert_eq!(items.len(), 3);
        assert_eq!(
            items[0].content,
            ArtifactContent::File { media_type: "text/plain".into(), bytes: b"12345".to_vec() }
        );
        assert_eq!(items[1].kind(), ArtifactType::FileBinary);
        assert!(
            matches!(&items[1].content, ArtifactContent::File { media_type, .. } if media_type == "application/x-thing")
        );
        assert_eq!(items[2].kind(), ArtifactType::Url);
    }

    #[test]
    fn at_most_max_artifacts() {
        let mut set = ArtifactSet::new(0);
        for i in 0..MAX_ARTIFACTS {
            set.publish_link(&format!("l{i}"), "http://example.com").unwrap();
        }
        assert_eq!(
            set.publish_link("one-more", "http://example.com"),
            Err(ArtifactRefused::TooMany("one-more".into()))
        );
    }

    #[test]
    fn links_are_http_urls_and_media_types_are_checked() {
        let mut set = ArtifactSet::new(100);
        for bad in ["javascript:alert(1)", "file:///etc/passwd", "https://", "http:///x", "https://a b", "ftp://x"] {
            assert_eq!(set.publish_link("l", bad), Err(ArtifactRefused::BadLink("l".into())), "{bad}");
        }
        for bad in ["text", "text/", "/plain", "text/plain\r\nX-Injected: 1", "te xt/plain"] {
            assert_eq!(
                set.publish_file("f", Some(bad), Vec::new()),
                Err(ArtifactRefused::BadMediaType("f".into())),
                "{bad}"
            );
        }
        set.publish_file("f", Some("text/plain; charset=utf-8"), Vec::new()).unwrap();
    }

    #[test]
    fn kinds_follow_media_types() {
        let file = |name: &str| PublishedArtifact {
            name: name.into(),
            content: ArtifactContent::File { media_type: guess_media_type(name).into(), bytes: Vec::new() },
        };
        assert_eq!(file("t.CSV").kind(), ArtifactType::FileDatatable);
        assert_eq!(file("r.json").kind(), ArtifactType::FileText);
        assert_eq!(file("p.png").kind(), ArtifactType::FileImage);
        assert_eq!(file("x").kind(), ArtifactType::FileBinary);
    }
}
