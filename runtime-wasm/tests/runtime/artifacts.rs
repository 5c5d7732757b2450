//! What a guest publishes through `artifacts` reaches the outcome, under the execution's
//! rules: plain names only, within its byte limit.

use attune_runtime_api::{ArtifactContent, Runtime};
use serde_json::json;

use crate::support::{Sandbox, guests, recorded_io, request};

#[tokio::test]
async fn published_files_and_links_reach_the_outcome() {
    let sandbox = Sandbox::new();
    let request = request(&sandbox.guest("publisher", &guests::publisher()), json!({}));
    let (io, _) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    assert_eq!(outcome.result, Ok(json!({"escape_refused": true})), "a name with a directory is refused");
    let published: Vec<(&str, &ArtifactContent)> =
        outcome.artifacts.iter().map(|a| (a.name.as_str(), &a.content)).collect();
    assert_eq!(
        published,
        [
            (
                "report.txt",
                &ArtifactContent::File { media_type: "text/plain".into(), bytes: b"hello artifacts".to_vec() }
            ),
            ("data.csv", &ArtifactContent::File { media_type: "text/csv".into(), bytes: b"a,b\n".to_vec() }),
            ("docs", &ArtifactContent::Link { url: "https://example.com/docs".into() }),
        ]
    );
}

#[tokio::test]
async fn a_file_past_the_limit_is_refused_and_the_rest_kept() {
    let sandbox = Sandbox::new();
    let mut request = request(&sandbox.guest("publisher", &guests::publisher()), json!({}));
    request.limits.artifact_bytes = 10;
    let (io, _) = recorded_io();

    let outcome = sandbox.runtime.execute(request, io).await;

    assert_eq!(outcome.result, Ok(json!({"escape_refused": true})));
    let names: Vec<&str> = outcome.artifacts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["data.csv", "docs"], "the 15-byte report does not fit in 10 bytes");
}
