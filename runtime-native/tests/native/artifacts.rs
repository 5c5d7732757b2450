//! Native artifacts: files an action leaves in `ATTUNE_ARTIFACTS_DIR`, collected once it has
//! ended, confined or not; what breaks the rules is skipped with a line of output.

use attune_runtime_api::{ArtifactContent, OutputFormat, Stream};
use serde_json::json;

use crate::support::{Fixture, completed, run};

const PUBLISHER: &str = r#"set -eu
cd "$ATTUNE_ARTIFACTS_DIR"
printf 'disk,used\nsda,42\n' > usage.csv
printf 'https://example.com/runs/7\n' > dashboard.link
head -c 2000 /dev/zero > big.bin
mkdir nested && printf 'x' > nested/inside.txt
ln -s /etc/passwd passwd
printf '{"dir":"%s"}\n' "$ATTUNE_ARTIFACTS_DIR"
"#;

#[tokio::test]
async fn files_left_in_the_directory_become_artifacts() {
    for (mode, fixture) in Fixture::both() {
        let pack = fixture.pack("reports");
        let script = pack.script("publish.sh", PUBLISHER);
        let mut request = pack.request(&script, json!({}));
        request.output_format = OutputFormat::Json;
        request.limits.artifact_bytes = 1000;

        let (outcome, lines) = run(&fixture.runtime("shell"), request).await;

        let dir = completed(&outcome)["dir"].as_str().unwrap().to_owned();
        if mode == "confined" {
            assert_eq!(dir, "/tmp/artifacts", "{mode}: inside the sandbox's own temporary space");
        } else {
            assert!(!std::path::Path::new(&dir).exists(), "{mode}: the host directory is removed afterwards");
        }
        let published: Vec<(&str, &ArtifactContent)> =
            outcome.artifacts.iter().map(|a| (a.name.as_str(), &a.content)).collect();
        assert_eq!(
            published,
            [
                ("dashboard", &ArtifactContent::Link { url: "https://example.com/runs/7".into() }),
                (
                    "usage.csv",
                    &ArtifactContent::File { media_type: "text/csv".into(), bytes: b"disk,used\nsda,42\n".to_vec() }
                ),
            ],
            "{mode}"
        );
        let notes: Vec<&str> = lines
            .iter()
            .filter(|line| line.stream == Stream::Stderr && line.text.starts_with("attune: artifact"))
            .map(|line| line.text.as_str())
            .collect();
        let notes = notes.join("\n");
        assert!(
            notes.contains("\"big.bin\" skipped: it would exceed the execution's artifact limit of 1000"),
            "{mode}: {notes}"
        );
        assert!(notes.contains("\"nested\" skipped: only regular files"), "{mode}: {notes}");
        assert!(notes.contains("\"passwd\" skipped: it is a symbolic link"), "{mode}: {notes}");
    }
}
