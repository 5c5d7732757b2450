//! The examples-python pack (packs/examples-python), its virtualenv built from PyPI.

use attune_runtime_api::{FailureKind, Outcome};
use serde_json::{Value, json};

use crate::shipped::{ShippedAction, shipped_pack};
use crate::support::{Fixture, completed, run};

async fn run_example(
    fixture: &Fixture,
    name: &str,
    adjust: impl FnOnce(&mut attune_runtime_api::ExecutionRequest),
    parameters: Value,
) -> Outcome {
    let pack = shipped_pack("examples-python");
    let action = ShippedAction::load(&pack, name);
    let mut request = action.request(&pack, name, parameters);
    adjust(&mut request);
    run(&fixture.runtime(&action.runner_type), request).await.0
}

#[tokio::test]
async fn every_example_action_runs_in_the_packs_virtualenv() {
    let fixture = Fixture::new();
    let as_is = |_: &mut _| {};

    let parsed = run_example(
        &fixture,
        "parse_time",
        as_is,
        json!({"text": "Fri, 1 Mar 2024 14:00:00 +0100", "timezone": "UTC"}),
    )
    .await;
    assert_eq!(
        completed(&parsed),
        &json!({"iso": "2024-03-01T13:00:00+00:00", "epoch": 1709298000.0, "timezone": "UTC", "weekday": "Friday"})
    );
    let venv = fixture.envs_dir().join("examples-python/python");
    assert!(venv.join("bin/python").exists(), "the pack's virtualenv was built");

    let day_first = run_example(
        &fixture,
        "parse_time",
        as_is,
        json!({"text": "change window starts 03/01/2024 at 2pm", "dayfirst": true, "timezone": "Europe/Paris"}),
    )
    .await;
    assert_eq!(completed(&day_first)["iso"], json!("2024-01-03T14:00:00+01:00"));

    let from_config = run_example(
        &fixture,
        "parse_time",
        |request| request.pack_config = json!({"default_timezone": "Asia/Tokyo"}),
        json!({"text": "2024-06-01 09:00"}),
    )
    .await;
    assert_eq!(completed(&from_config)["iso"], json!("2024-06-01T09:00:00+09:00"));

    let nonsense = run_example(&fixture, "parse_time", as_is, json!({"text": "no date here"})).await;
    let failure = nonsense.result.unwrap_err();
    assert_eq!(failure.kind, FailureKind::NonzeroExit);
    assert!(failure.message.starts_with("exited with code 2: no date and time found"), "{}", failure.message);

    let table = run_example(
        &fixture,
        "format_table",
        as_is,
        json!({"rows": [{"host": "web-1", "status": "up"}, {"host": "db-1", "status": "down", "note": "disk full"}]}),
    )
    .await;
    assert_eq!(
        completed(&table)["stdout"],
        json!(concat!(
            "| host   | status   | note      |\n",
            "|--------|----------|-----------|\n",
            "| web-1  | up       |           |\n",
            "| db-1   | down     | disk full |\n",
        ))
    );

    let path = fixture.dir.path().display().to_string();
    let disk = run_example(&fixture, "disk_usage", as_is, json!({"path": path, "warn_percent": 0})).await;
    let usage = completed(&disk);
    assert_eq!(usage["path"], json!(path));
    let total = usage["total_bytes"].as_u64().unwrap();
    assert!(total > 0 && usage["used_bytes"].as_u64().unwrap() <= total);
    assert_eq!(usage["warning"], json!(true));
    assert!(usage["human"]["total"].as_str().unwrap().ends_with("iB"));
    let [table] = disk.artifacts.as_slice() else { panic!("one artifact: {:?}", disk.artifacts) };
    let attune_runtime_api::ArtifactContent::File { media_type, bytes } = &table.content else { panic!("a file") };
    assert_eq!((table.name.as_str(), media_type.as_str()), ("disk_usage.csv", "text/csv"));
    let csv = String::from_utf8(bytes.clone()).unwrap();
    assert!(csv.starts_with("path,total_bytes,used_bytes,free_bytes,used_percent\r\n"), "{csv}");
    assert!(csv.contains(&format!("{path},{total},")), "{csv}");

    let signed = run_example(
        &fixture,
        "sign_payload",
        |request| {
            request.secrets.insert("webhook_signing_key".into(), "k3y".into());
        },
        json!({"payload": {"b": 2, "a": "ü"}}),
    )
    .await;
    assert_eq!(
        completed(&signed),
        &json!({
            "body": "{\"a\":\"ü\",\"b\":2}",
            "signature": "sha256=f552f190dace4dabe0c1c22b355c79583832e7352c2a6223825e03ce4a81e910",
        })
    );
    assert!(!signed.stdout.text.contains("k3y"));

    let unsigned = run_example(&fixture, "sign_payload", as_is, json!({"payload": {}})).await;
    assert_eq!(
        unsigned.result.unwrap_err().message,
        "exited with code 2: the webhook_signing_key secret is not set or not granted to this action"
    );
}
